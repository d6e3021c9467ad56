// SPDX-License-Identifier: GPL-2.0
/*
 * rg_sensor: the sample endpoint sensor ringgate gates (see images/README.md).
 *
 * Every open() in the guest is an event (a kprobe on do_sys_openat2). The sensor describes
 * each event with RG_INPUTS (20) input fields and evaluates the rules of its content
 * ("channel files", written to /proc/rg_sensor/channel) against them. Like the driver behind
 * CrowdStrike's Channel File 291, it trusts the field numbers the content names: a rule that
 * asks for field 21 reads one pointer past the input array and dereferences it.
 *
 * Build-time variants (images/build.sh): -DRG_FAULT_BOOTCRASH crashes in module init,
 * -DRG_FAULT_HANG never returns from module init, -DRG_FAULT_LATECRASH crashes in a periodic
 * scan RG_LATECRASH_S seconds after module init (after the boot is ready), on every boot;
 * -DRG_FAULT_FREEZE spins with preemption disabled for RG_FREEZE_S seconds, RG_FREEZE_AFTER_S
 * seconds after module init: on one vCPU nothing else runs (no agent, no console), and the
 * kernel's soft-lockup detector only speaks after 20 s.
 */
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/fcntl.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#ifndef RG_SENSOR_VERSION
#define RG_SENSOR_VERSION "0.0.0"
#endif

#define RG_INPUTS 20 /* the fields the sensor supplies with every event */
#define RG_MAX_RULES 256
#define RG_MAX_FIELDS 32
#define RG_MAX_CHANNELS 16
#define RG_MAX_CHANNEL_BYTES (64 * 1024)
#define RG_MAX_DELAY_US 1000
#define RG_MAX_LEAK_BYTES 4096

enum rg_op { RG_MATCH, RG_DELAY, RG_LEAK, RG_WARN };

struct rg_rule {
	unsigned int id;
	enum rg_op op;
	unsigned int nfields;
	unsigned int fields[RG_MAX_FIELDS]; /* 1-based, as the content says: never checked */
	char arg[64];
	unsigned long num; /* arg as a number: usec for delay, bytes for leak */
};

struct rg_channel {
	unsigned int number;
	char version[33];
	unsigned int nrules;
	struct rg_rule rules[];
};

/* What the event path reads under RCU; replaced as a whole when a channel is loaded. */
struct rg_content {
	unsigned int nchannels;
	struct rg_channel *channels[RG_MAX_CHANNELS];
};

/*
 * One event. inputs[] holds exactly RG_INPUTS pointers; the word after it is the input
 * count, so field 21 (inputs[20]) reads the number 20 and dereferences address 0x14.
 */
struct rg_event {
	const char *inputs[RG_INPUTS];
	unsigned long ninputs;
	char text[RG_INPUTS][24];
};

static struct rg_content __rcu *content;
static DEFINE_MUTEX(content_lock); /* serialises writers */
static atomic64_t events, matches, leaked_bytes, leaked_objects, eval_ns, delay_ns, warns;

/* Substring search that dereferences its input here, so a bad pointer faults in this module. */
static __always_inline bool rg_match(const char *in, const char *pat)
{
	for (; *in; in++) {
		const char *a = in, *b = pat;

		while (*b && *a == *b) {
			a++;
			b++;
		}
		if (!*b)
			return true;
	}
	return false;
}

/* Evaluates one rule's fields; noinline so that crash reports name this function. */
static noinline unsigned int rg_sensor_eval(const struct rg_rule *rule,
					    const struct rg_event *ev)
{
	unsigned int hits = 0;

	for (unsigned int f = 0; f < rule->nfields; f++) {
		/* The content's field number is trusted: field 21 reads inputs[20]. */
		const char *in = ev->inputs[rule->fields[f] - 1];

		switch (rule->op) {
		case RG_MATCH:
			hits += rg_match(in, rule->arg);
			break;
		case RG_DELAY:
		case RG_LEAK:
			hits += in[0] != '\0';
			break;
		case RG_WARN:
			hits++;
			WARN_ONCE(in[0] != '\0', "rg_sensor: rule %u: unexpected input '%s'\n",
				  rule->id, in);
			break;
		}
	}
	return hits;
}

/* Applies a rule's effect once per event its fields matched. */
static void rg_sensor_act(const struct rg_rule *rule)
{
	u64 t0;

	switch (rule->op) {
	case RG_MATCH:
		atomic64_inc(&matches);
		break;
	case RG_DELAY:
		t0 = ktime_get_ns();
		udelay(rule->num);
		atomic64_add(ktime_get_ns() - t0, &delay_ns);
		break;
	case RG_LEAK:
		/* Never freed: the "slow leak" content. */
		if (kmalloc(rule->num, GFP_ATOMIC | __GFP_NOWARN)) {
			atomic64_add(rule->num, &leaked_bytes);
			atomic64_inc(&leaked_objects);
		}
		break;
	case RG_WARN:
		atomic64_inc(&warns);
		break;
	}
}

/* Runs every rule of the current content over one event. Called with preemption disabled
 * (kprobe) or from a writer; the content is read under RCU either way. */
static noinline void rg_sensor_feed(struct rg_event *ev)
{
	struct rg_content *c;
	u64 t0 = ktime_get_ns();

	ev->ninputs = RG_INPUTS;
	rcu_read_lock();
	c = rcu_dereference(content);
	for (unsigned int i = 0; c && i < c->nchannels; i++) {
		const struct rg_channel *ch = c->channels[i];

		for (unsigned int r = 0; r < ch->nrules; r++)
			if (rg_sensor_eval(&ch->rules[r], ev))
				rg_sensor_act(&ch->rules[r]);
	}
	rcu_read_unlock();
	atomic64_inc(&events);
	atomic64_add(ktime_get_ns() - t0, &eval_ns);
}

static void rg_event_set(struct rg_event *ev, int i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ev->text[i], sizeof(ev->text[i]), fmt, ap);
	va_end(ap);
	ev->inputs[i] = ev->text[i];
}

/* The 20 inputs of an open(): who opens what, how. */
static void rg_event_fill(struct rg_event *ev, const char *path, int dfd, int flags, int mode)
{
	struct task_struct *t = current;
	const struct cred *cred = current_cred();
	struct task_struct *parent;
	u64 seq = (u64)atomic64_read(&events);

	ev->inputs[0] = t->comm;
	ev->inputs[1] = path;
	rg_event_set(ev, 2, "%d", task_pid_nr(t));
	rg_event_set(ev, 3, "%d", task_tgid_nr(t));
	rg_event_set(ev, 4, "%u", from_kuid(&init_user_ns, cred->uid));
	rg_event_set(ev, 5, "%u", from_kgid(&init_user_ns, cred->gid));
	rg_event_set(ev, 6, "%u", from_kuid(&init_user_ns, cred->euid));
	rg_event_set(ev, 7, "%u", from_kgid(&init_user_ns, cred->egid));
	rcu_read_lock();
	parent = rcu_dereference(t->real_parent);
	rg_event_set(ev, 8, "%d", task_tgid_nr(parent));
	rg_event_set(ev, 9, "%.15s", parent->comm);
	rcu_read_unlock();
	rg_event_set(ev, 10, "0%o", flags);
	rg_event_set(ev, 11, "0%o", mode);
	rg_event_set(ev, 12, "%d", dfd);
	rg_event_set(ev, 13, "%d", raw_smp_processor_id());
	rg_event_set(ev, 14, "%d", t->prio);
	rg_event_set(ev, 15, "%d", (flags & O_CREAT) ? 1 : 0);
	rg_event_set(ev, 16, "%d", (flags & O_ACCMODE) != O_RDONLY ? 1 : 0);
	rg_event_set(ev, 17, "%u", from_kuid(&init_user_ns, cred->fsuid));
	rg_event_set(ev, 18, "%lu", jiffies);
	rg_event_set(ev, 19, "%llu", seq);
}

/* The event source: every open() (do_sys_openat2(dfd, filename, how)). */
static int rg_open_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const char __user *upath = (const char __user *)regs->si;
	const struct open_how *how = (const struct open_how *)regs->dx;
	struct rg_event ev;
	char path[64] = "";

	/* No sleeping here: a path we cannot read without faulting stays blank. Reads stop at
	 * the page end, which may be the end of the mapping. */
	if (upath) {
		size_t n = min_t(size_t, sizeof(path) - 1,
				 PAGE_SIZE - offset_in_page((unsigned long)upath));

		if (copy_from_user_nofault(path, upath, n))
			path[0] = '\0';
	}
	rg_event_fill(&ev, path, (int)regs->di, how ? (int)how->flags : 0,
		      how ? (int)how->mode : 0);
	rg_sensor_feed(&ev);
	return 0;
}

static struct kprobe open_probe = {
	.symbol_name = "do_sys_openat2",
	.pre_handler = rg_open_pre,
};

/* ---- Content ---- */

static int rg_parse_fields(char *s, struct rg_rule *r)
{
	char *tok;

	while ((tok = strsep(&s, ","))) {
		unsigned int v;

		if (r->nfields == RG_MAX_FIELDS || kstrtouint(tok, 10, &v) || v < 1 || v > 255)
			return -EINVAL;
		r->fields[r->nfields++] = v;
	}
	return r->nfields ? 0 : -EINVAL;
}

static int rg_parse_op(const char *s, enum rg_op *op)
{
	static const char *const names[] = { "match", "delay", "leak", "warn" };

	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i])) {
			*op = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* "rule <id> <op> <f1,f2,...> [arg]" */
static int rg_parse_rule(char *rest, struct rg_rule *r)
{
	char *id = strsep(&rest, " \t"), *op = strsep(&rest, " \t");
	char *fields = strsep(&rest, " \t"), *arg = rest ? strim(rest) : NULL;

	memset(r, 0, sizeof(*r));
	if (!id || !op || !fields || kstrtouint(id, 10, &r->id) || !r->id || r->id > 65535)
		return -EINVAL;
	if (rg_parse_op(op, &r->op) || rg_parse_fields(fields, r))
		return -EINVAL;
	if (arg && *arg) {
		strscpy(r->arg, arg, sizeof(r->arg));
		if (kstrtoul(arg, 10, &r->num))
			r->num = 0;
	} else if (r->op == RG_MATCH) {
		return -EINVAL;
	}
	if (r->op == RG_DELAY)
		r->num = min_t(unsigned long, r->num, RG_MAX_DELAY_US);
	if (r->op == RG_LEAK)
		r->num = clamp_t(unsigned long, r->num, 1, RG_MAX_LEAK_BYTES);
	return 0;
}

/* Parses a channel file (format: images/README.md). The driver checks the syntax only; the
 * "inputs" line is ignored and the field numbers are trusted, as in the incident. */
static struct rg_channel *rg_parse_channel(char *text)
{
	struct rg_channel *ch = kzalloc(struct_size(ch, rules, RG_MAX_RULES), GFP_KERNEL);
	char *line;
	unsigned int lineno = 0;
	bool magic = false;
	int err = -EINVAL;

	if (!ch)
		return ERR_PTR(-ENOMEM);
	while ((line = strsep(&text, "\n"))) {
		char *rest = strim(line), *word;

		lineno++;
		if (!*rest || *rest == '#')
			continue;
		word = strsep(&rest, " \t");
		rest = rest ? strim(rest) : NULL;
		if (!magic) {
			if (strcmp(word, "RGCHANNEL") || !rest || strcmp(rest, "1"))
				goto bad;
			magic = true;
		} else if (!strcmp(word, "channel")) {
			if (!rest || kstrtouint(rest, 10, &ch->number) || !ch->number ||
			    ch->number > 65535)
				goto bad;
		} else if (!strcmp(word, "version")) {
			if (!rest || strscpy(ch->version, rest, sizeof(ch->version)) < 0)
				goto bad;
		} else if (!strcmp(word, "inputs")) {
			continue;
		} else if (!strcmp(word, "rule")) {
			if (ch->nrules == RG_MAX_RULES || !rest ||
			    rg_parse_rule(rest, &ch->rules[ch->nrules]))
				goto bad;
			ch->nrules++;
		} else {
			goto bad;
		}
	}
	if (!magic || !ch->number || !ch->version[0]) {
		lineno = 0;
		goto bad;
	}
	return ch;
bad:
	pr_warn("rg_sensor: channel file refused (line %u)\n", lineno);
	kfree(ch);
	return ERR_PTR(err);
}

/* Installs a channel (replacing one with the same number) and evaluates it at once. */
static noinline int rg_sensor_load_channel(char *text)
{
	struct rg_channel *ch = rg_parse_channel(text), *replaced = NULL;
	struct rg_content *old, *next;
	struct rg_event ev;

	if (IS_ERR(ch))
		return PTR_ERR(ch);
	next = kzalloc(sizeof(*next), GFP_KERNEL);
	if (!next) {
		kfree(ch);
		return -ENOMEM;
	}
	mutex_lock(&content_lock);
	old = rcu_dereference_protected(content, lockdep_is_held(&content_lock));
	if (old)
		*next = *old;
	for (unsigned int i = 0; i < next->nchannels; i++) {
		if (next->channels[i]->number == ch->number) {
			replaced = next->channels[i];
			next->channels[i] = ch;
			break;
		}
	}
	if (!replaced && next->nchannels == RG_MAX_CHANNELS) {
		mutex_unlock(&content_lock);
		kfree(next);
		kfree(ch);
		return -ENOSPC;
	}
	if (!replaced)
		next->channels[next->nchannels++] = ch;
	rcu_assign_pointer(content, next);
	mutex_unlock(&content_lock);
	synchronize_rcu();
	kfree(old);
	kfree(replaced);
	pr_info("rg_sensor: channel %u version %s loaded: %u rules\n", ch->number, ch->version,
		ch->nrules);
	/* New content is evaluated at once, against the loader's own event. */
	rg_event_fill(&ev, "/proc/rg_sensor/channel", -100, O_WRONLY, 0);
	rg_sensor_feed(&ev);
	return 0;
}

static ssize_t channel_write(struct file *file, const char __user *buf, size_t len,
			     loff_t *off)
{
	char *text;
	int err;

	if (len > RG_MAX_CHANNEL_BYTES)
		return -EFBIG;
	text = memdup_user_nul(buf, len);
	if (IS_ERR(text))
		return PTR_ERR(text);
	err = rg_sensor_load_channel(text);
	kfree(text);
	return err ? err : (ssize_t)len;
}

static int stats_show(struct seq_file *m, void *v)
{
	struct rg_content *c;
	unsigned int rules = 0;

	seq_printf(m, "sensor=%s\ninputs=%d\n", RG_SENSOR_VERSION, RG_INPUTS);
	rcu_read_lock();
	c = rcu_dereference(content);
	seq_printf(m, "channels=%u\n", c ? c->nchannels : 0);
	for (unsigned int i = 0; c && i < c->nchannels; i++) {
		seq_printf(m, "channel.%u=%s\n", c->channels[i]->number, c->channels[i]->version);
		rules += c->channels[i]->nrules;
	}
	rcu_read_unlock();
	seq_printf(m, "rules=%u\nevents=%lld\nmatches=%lld\neval_ns=%lld\ndelay_ns=%lld\n"
		      "leaked_bytes=%lld\nleaked_objects=%lld\nwarnings=%lld\n",
		   rules, atomic64_read(&events), atomic64_read(&matches), atomic64_read(&eval_ns),
		   atomic64_read(&delay_ns), atomic64_read(&leaked_bytes),
		   atomic64_read(&leaked_objects), atomic64_read(&warns));
	return 0;
}

static const struct proc_ops channel_ops = {
	.proc_write = channel_write,
	.proc_lseek = noop_llseek,
};

static struct proc_dir_entry *proc_dir;

#ifdef RG_FAULT_BOOTCRASH
struct rg_tables {
	unsigned int nslots;
	unsigned int *slots;
};

static struct rg_tables *tables; /* the 1.1.0-bootcrash bug: never allocated */

/* Sizes the event tables from a configuration that does not exist yet. */
static noinline int rg_sensor_init_tables(void)
{
	struct rg_tables *t = READ_ONCE(tables);

	return t->nslots ? 0 : -EINVAL;
}
#endif

#ifdef RG_FAULT_HANG
/* The 1.1.0-hang bug: waits for a device that never answers. TASK_IDLE: uninterruptible,
 * but not reported by the hung-task detector, so the guest hangs without a message. */
static noinline void rg_sensor_wait_device(void)
{
	for (;;)
		schedule_timeout_idle(HZ);
}
#endif

#ifdef RG_FAULT_LATECRASH
#include <linux/workqueue.h>

#define RG_LATECRASH_S 4

struct rg_scan_state {
	unsigned int nroots;
};

static struct rg_scan_state *scan_state; /* the 1.1.0-latecrash bug: never allocated */

/* The periodic scan: its first run dereferences state that init never set up. */
static noinline void rg_sensor_scan(struct work_struct *work)
{
	struct rg_scan_state *st = READ_ONCE(scan_state);

	(void)work;
	pr_info("rg_sensor: periodic scan of %u roots\n", st->nroots);
}

static DECLARE_DELAYED_WORK(scan_work, rg_sensor_scan);
#endif

#ifdef RG_FAULT_FREEZE
#include <linux/workqueue.h>

#define RG_FREEZE_AFTER_S 4
#define RG_FREEZE_S 30

/* The 1.1.0-freeze bug: a rescan that busy-waits for a lock it already holds, with
 * preemption off, until a timeout far too long for a kernel path. */
static noinline void rg_sensor_rescan(struct work_struct *work)
{
	u64 end = ktime_get_mono_fast_ns() + (u64)RG_FREEZE_S * NSEC_PER_SEC;

	(void)work;
	preempt_disable();
	while (ktime_get_mono_fast_ns() < end)
		cpu_relax();
	preempt_enable();
	pr_info("rg_sensor: rescan gave up after %d s\n", RG_FREEZE_S);
}

static DECLARE_DELAYED_WORK(rescan_work, rg_sensor_rescan);
#endif

static int __init rg_sensor_init(void)
{
	struct rg_event ev;
	int err;

#ifdef RG_FAULT_BOOTCRASH
	err = rg_sensor_init_tables();
	if (err)
		return err;
#endif
#ifdef RG_FAULT_HANG
	rg_sensor_wait_device();
#endif
	proc_dir = proc_mkdir("rg_sensor", NULL);
	if (!proc_dir)
		return -ENOMEM;
	if (!proc_create("channel", 0200, proc_dir, &channel_ops) ||
	    !proc_create_single("stats", 0444, proc_dir, stats_show)) {
		proc_remove(proc_dir);
		return -ENOMEM;
	}
	err = register_kprobe(&open_probe);
	if (err) {
		pr_err("rg_sensor: cannot watch %s (%d)\n", open_probe.symbol_name, err);
		proc_remove(proc_dir);
		return err;
	}
	/* Self-test against a synthetic event, as at every content load. */
	rg_event_fill(&ev, "/proc/rg_sensor", -100, O_RDONLY, 0);
	rg_sensor_feed(&ev);
	pr_info("rg_sensor %s: watching %s\n", RG_SENSOR_VERSION, open_probe.symbol_name);
#ifdef RG_FAULT_LATECRASH
	schedule_delayed_work(&scan_work, RG_LATECRASH_S * HZ);
#endif
#ifdef RG_FAULT_FREEZE
	schedule_delayed_work(&rescan_work, RG_FREEZE_AFTER_S * HZ);
#endif
	return 0;
}

static void __exit rg_sensor_exit(void)
{
	struct rg_content *c;

#ifdef RG_FAULT_LATECRASH
	cancel_delayed_work_sync(&scan_work);
#endif
#ifdef RG_FAULT_FREEZE
	cancel_delayed_work_sync(&rescan_work);
#endif
	unregister_kprobe(&open_probe);
	proc_remove(proc_dir);
	synchronize_rcu();
	c = rcu_dereference_protected(content, true);
	for (unsigned int i = 0; c && i < c->nchannels; i++)
		kfree(c->channels[i]);
	kfree(c);
}

module_init(rg_sensor_init);
module_exit(rg_sensor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ringgate sample endpoint sensor");
MODULE_VERSION(RG_SENSOR_VERSION);
