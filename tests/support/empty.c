/* Keeps the test support library non-empty before any support code exists. */
typedef int rg_test_support_empty;
