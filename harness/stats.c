/* Statistics for paired baseline/candidate samples. */
#include "stats.h"

int rg_stats_mw_min_samples(double alpha)
{
    double ways = 2; /* C(2n, n) for n = 1 */

    for (int n = 1; n < 1000; n++) {
        if (1.0 / ways <= alpha)
            return n;
        /* C(2n+2, n+1) = C(2n, n) * (2n+1)(2n+2) / (n+1)^2 */
        ways = ways * (2.0 * n + 1) * (2.0 * n + 2) / ((n + 1.0) * (n + 1.0));
    }
    return 1000;
}
