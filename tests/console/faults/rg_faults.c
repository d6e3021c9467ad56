// SPDX-License-Identifier: GPL-2.0
/*
 * rg_faults: a deliberately faulty module that makes the Debian guest kernel print real
 * failure reports, for the console crash detector's corpus (capture.sh). mode= picks one.
 */
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/slab.h>

static char *mode = "none";
static int rg_depth_limit = 1000000;
module_param(mode, charp, 0444);

struct rg_item {
	struct list_head node;
	void (*fn)(void);
	int value;
};

static noinline void rg_fault_null(void)
{
	struct rg_item *item = READ_ONCE(*(struct rg_item **)&mode) ? NULL : NULL;

	pr_info("rg_faults: %d\n", item->value);
}

static noinline void rg_fault_bug(void)
{
	BUG_ON(strcmp(mode, "bug") == 0);
}

static noinline void rg_fault_warn(void)
{
	WARN_ON(strcmp(mode, "warn") == 0);
}

static noinline void rg_fault_spin(void)
{
	unsigned long end = jiffies + 30 * HZ;

	preempt_disable();
	while (time_before(jiffies, end))
		cpu_relax();
	preempt_enable();
}

static int rg_fault_sleeper(void *arg)
{
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule();
	return 0;
}

static noinline void rg_fault_list(void)
{
	static LIST_HEAD(head);
	struct rg_item *a = kzalloc(sizeof(*a), GFP_KERNEL);

	list_add(&a->node, &head);
	list_add(&a->node, &head); /* twice: the list debugging catches it */
}

static noinline void rg_fault_uaf(void)
{
	struct rg_item *item = kzalloc(sizeof(*item), GFP_KERNEL);

	item->fn = rg_fault_warn;
	kfree(item);
	/* With slub_debug=P the freed object is poisoned: the call goes to 0x6b6b6b6b6b6b6b6b. */
	pr_info("rg_faults: %px\n", READ_ONCE(item->fn));
	READ_ONCE(item->fn)();
}

static noinline void rg_fault_refcount(void)
{
	refcount_t ref = REFCOUNT_INIT(1);

	refcount_dec(&ref);
	refcount_dec(&ref);
}

static noinline int rg_fault_divide(int divisor)
{
	return 1000 / divisor;
}

static noinline int rg_fault_recurse(int depth)
{
	/* volatile and a bound the compiler cannot see through: real recursion, not a loop. */
	volatile char pad[512];

	pad[depth % 512] = (char)depth;
	if (depth > READ_ONCE(*(int *)&rg_depth_limit))
		return pad[0];
	return rg_fault_recurse(depth + 1) + pad[(depth + 7) % 512];
}

static int __init rg_faults_init(void)
{
	pr_info("rg_faults: mode %s\n", mode);
	if (!strcmp(mode, "null"))
		rg_fault_null();
	else if (!strcmp(mode, "bug"))
		rg_fault_bug();
	else if (!strcmp(mode, "warn"))
		rg_fault_warn();
	else if (!strcmp(mode, "softlockup"))
		rg_fault_spin();
	else if (!strcmp(mode, "hungtask"))
		kthread_run(rg_fault_sleeper, NULL, "rg_fault_sleeper");
	else if (!strcmp(mode, "listcorrupt"))
		rg_fault_list();
	else if (!strcmp(mode, "uaf"))
		rg_fault_uaf();
	else if (!strcmp(mode, "refcount"))
		rg_fault_refcount();
	else if (!strcmp(mode, "divide"))
		pr_info("rg_faults: %d\n", rg_fault_divide(strlen(mode) - 6));
	else if (!strcmp(mode, "stackoverflow"))
		pr_info("rg_faults: %d\n", rg_fault_recurse(0));
	return 0;
}

module_init(rg_faults_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("deliberate kernel failures for ringgate's console corpus");
