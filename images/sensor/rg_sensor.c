// SPDX-License-Identifier: GPL-2.0
/*
 * rg_sensor: the sample endpoint sensor ringgate gates. It watches file opens (a kprobe on
 * do_sys_openat2), hands each event's 20 input fields to the rules of its content (channel
 * files written to /proc/rg_sensor/channel), and, like the driver behind Channel File 291,
 * trusts the field numbers the content names: a rule that reads field 21 reads past the
 * input array. Built in variants (RG_FAULT) that crash or hang in module init.
 */
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#ifndef RG_SENSOR_VERSION
#define RG_SENSOR_VERSION "0.0.0"
#endif

#define RG_INPUTS 20 /* what the sensor supplies to every rule */
#define RG_MAX_RULES 256
#define RG_MAX_FIELDS 32
#define RG_MAX_CHANNEL (64 * 1024)

enum rg_op { RG_MATCH, RG_DELAY, RG_LEAK, RG_WARN };

struct rg_rule {
	int id;
	enum rg_op op;
	int nfields;
	int fields[RG_MAX_FIELDS]; /* 1-based, as the content says: never checked */
	char pattern[64];
	unsigned long arg;
};

/*
 * One event's inputs. The word after the array is what a 21st field reads: NULL here, as
 * in the incident the slot past the end held no valid pointer.
 */
struct rg_event {
	const char *inputs[RG_INPUTS];
	const char *past_the_end;
};

static struct rg_rule *rules;
static int nrules;
static char content_version[33] = "none";
static DEFINE_SPINLOCK(rules_lock);
static atomic64_t events, matches, leaked_bytes, leaked_objects, eval_ns;

/* Evaluates every rule against one event. noinline: crash reports name this function. */
static noinline int rg_sensor_eval(struct rg_event *ev)
{
	int hits = 0;

	for (int r = 0; r < nrules; r++) {
		struct rg_rule *rule = &rules[r];

		for (int f = 0; f < rule->nfields; f++) {
			/* The content's field number is trusted: field 21 reads inputs[20]. */
			const char *in = ev->inputs[rule->fields[f] - 1];
			const char *p = rule->pattern;

			switch (rule->op) {
			case RG_MATCH:
				if (in[0] == p[0] && strstr(in, p))
					hits++;
				break;
			case RG_DELAY:
				if (in[0] || !in[0])
					udelay(rule->arg);
				break;
			case RG_LEAK:
				if (in && kmalloc(rule->arg, GFP_ATOMIC)) {
					atomic64_add(rule->arg, &leaked_bytes);
					atomic64_inc(&leaked_objects);
				}
				break;
			case RG_WARN:
				WARN_ONCE(in != NULL, "rg_sensor: rule %d asked for a warning\n",
					  rule->id);
				break;
			}
		}
	}
	return hits;
}

static const char *const blank = "";

static noinline void rg_sensor_feed(const char *comm, const char *path)
{
	struct rg_event ev = { .past_the_end = NULL };
	unsigned long flags;
	u64 t0;

	for (int i = 0; i < RG_INPUTS; i++)
		ev.inputs[i] = blank;
	ev.inputs[0] = comm;
	ev.inputs[1] = path;
	t0 = ktime_get_ns();
	spin_lock_irqsave(&rules_lock, flags);
	if (rg_sensor_eval(&ev))
		atomic64_inc(&matches);
	spin_unlock_irqrestore(&rules_lock, flags);
	atomic64_add(ktime_get_ns() - t0, &eval_ns);
	atomic64_inc(&events);
}

/* The event source: every open() in the guest. */
static int rg_open_pre(struct kprobe *kp, struct pt_regs *regs)
{
	char path[64] = "";
	const char __user *upath = (const char __user *)regs->si;

	/* Not allowed to sleep here: a path we cannot read without faulting stays blank. */
	if (upath && copy_from_user_nofault(path, upath, sizeof(path) - 1))
		path[0] = '\0';
	path[sizeof(path) - 1] = '\0';
	rg_sensor_feed(current->comm, path);
	return 0;
}

static struct kprobe open_probe = {
	.symbol_name = "do_sys_openat2",
	.pre_handler = rg_open_pre,
};

/* ---- Content ---- */

static int parse_fields(char *s, struct rg_rule *r)
{
	char *tok;

	while ((tok = strsep(&s, ",")) && r->nfields < RG_MAX_FIELDS) {
		int v;

		if (kstrtoint(tok, 10, &v) || v < 1)
			return -EINVAL;
		r->fields[r->nfields++] = v;
	}
	return r->nfields ? 0 : -EINVAL;
}

/* Parses a channel file: "RGCHANNEL 1", "channel N", "version V", "inputs N", "rule ...". */
static int rg_parse_channel(char *text, struct rg_rule *out, int *nout, char *version)
{
	char *line;
	int n = 0, lineno = 0;

	while ((line = strsep(&text, "\n"))) {
		char *word, *rest = strim(line);

		lineno++;
		if (!*rest || *rest == '#')
			continue;
		word = strsep(&rest, " \t");
		if (lineno == 1 && strcmp(word, "RGCHANNEL"))
			return -EINVAL;
		if (!strcmp(word, "version") && rest)
			strscpy(version, strim(rest), 33);
		if (strcmp(word, "rule") || n == RG_MAX_RULES)
			continue;
		{
			struct rg_rule *r = &out[n];
			char *id = strsep(&rest, " \t"), *op = strsep(&rest, " \t");
			char *fields = strsep(&rest, " \t"), *arg = rest ? strim(rest) : NULL;

			memset(r, 0, sizeof(*r));
			if (!id || !op || !fields || kstrtoint(id, 10, &r->id))
				return -EINVAL;
			if (!strcmp(op, "match"))
				r->op = RG_MATCH;
			else if (!strcmp(op, "delay"))
				r->op = RG_DELAY;
			else if (!strcmp(op, "leak"))
				r->op = RG_LEAK;
			else if (!strcmp(op, "warn"))
				r->op = RG_WARN;
			else
				return -EINVAL;
			if (parse_fields(fields, r))
				return -EINVAL;
			if (arg) {
				strscpy(r->pattern, arg, sizeof(r->pattern));
				if (kstrtoul(arg, 10, &r->arg))
					r->arg = 0;
			}
			if (r->op == RG_DELAY && r->arg > 1000)
				r->arg = 1000;
			n++;
		}
	}
	*nout = n;
	return 0;
}

static noinline int rg_sensor_load_channel(char *text)
{
	struct rg_rule *parsed = kcalloc(RG_MAX_RULES, sizeof(*parsed), GFP_KERNEL), *old;
	char version[33] = "unknown";
	unsigned long flags;
	int n = 0, err;

	if (!parsed)
		return -ENOMEM;
	err = rg_parse_channel(text, parsed, &n, version);
	if (err) {
		kfree(parsed);
		return err;
	}
	spin_lock_irqsave(&rules_lock, flags);
	old = rules;
	rules = parsed;
	nrules = n;
	strscpy(content_version, version, sizeof(content_version));
	spin_unlock_irqrestore(&rules_lock, flags);
	kfree(old);
	pr_info("rg_sensor: content %s loaded: %d rules\n", version, n);
	/* Like the real sensor, new content is evaluated at once. */
	rg_sensor_feed("rg-sensor", "/rg_sensor/self-test");
	return 0;
}

static ssize_t channel_write(struct file *file, const char __user *buf, size_t len,
			     loff_t *off)
{
	char *text;
	int err;

	if (len > RG_MAX_CHANNEL)
		return -EFBIG;
	text = memdup_user_nul(buf, len);
	if (IS_ERR(text))
		return PTR_ERR(text);
	err = rg_sensor_load_channel(text);
	kfree(text);
	return err ? err : len;
}

static int stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "version %s\ncontent %s\nrules %d\nevents %lld\nmatches %lld\n"
		      "leaked_bytes %lld\nleaked_objects %lld\neval_ns %lld\n",
		   RG_SENSOR_VERSION, content_version, nrules, atomic64_read(&events),
		   atomic64_read(&matches), atomic64_read(&leaked_bytes),
		   atomic64_read(&leaked_objects), atomic64_read(&eval_ns));
	return 0;
}

static const struct proc_ops channel_ops = { .proc_write = channel_write };

static struct proc_dir_entry *proc_dir;

#ifdef RG_FAULT_BOOTCRASH
/* The bad driver build: its table set-up dereferences a table that was never allocated. */
static noinline int rg_sensor_init_tables(void)
{
	int *table = READ_ONCE(*(int **)&rules);

	return table[3];
}
#endif

static int __init rg_sensor_init(void)
{
#ifdef RG_FAULT_BOOTCRASH
	rg_sensor_init_tables();
#endif
#ifdef RG_FAULT_HANG
	/* The hanging driver build: waits for a device that never answers, quietly. */
	for (;;)
		msleep_interruptible(1000);
#endif
	proc_dir = proc_mkdir("rg_sensor", NULL);
	if (!proc_dir)
		return -ENOMEM;
	proc_create("channel", 0200, proc_dir, &channel_ops);
	proc_create_single("stats", 0444, proc_dir, stats_show);
	if (register_kprobe(&open_probe) < 0)
		pr_warn("rg_sensor: no kprobe on %s: events are not watched\n",
			open_probe.symbol_name);
	pr_info("rg_sensor %s loaded\n", RG_SENSOR_VERSION);
	return 0;
}

static void __exit rg_sensor_exit(void)
{
	if (open_probe.addr)
		unregister_kprobe(&open_probe);
	proc_remove(proc_dir);
	kfree(rules);
}

module_init(rg_sensor_init);
module_exit(rg_sensor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ringgate sample endpoint sensor");
MODULE_VERSION(RG_SENSOR_VERSION);
