// SPDX-License-Identifier: GPL-2.0
/*
 * rg_other: the kernel half of rg-other, ringgate's second sample product (images/README.md).
 * It shares nothing with rg_sensor: a port filter table, filled from a rules file that its
 * daemon (rg-otherd) writes to /proc/rg_other/rules in one write; /proc/rg_other/status
 * reads "version=V rules=N".
 *
 * Rules, one a line ('#' comments and blank lines allowed):
 *     RGOTHER 1                       first line: magic and format version
 *     allow|deny tcp|udp PORT[-PORT]
 *
 * Build-time variant (images/build.sh): -DRG_OTHER_FAULT_NULL indexes each rule into a hash
 * table that is never allocated: a NULL dereference in rg_other_add at the first rule, that
 * is at every boot as soon as the daemon loads its rules.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#ifndef RG_OTHER_VERSION
#define RG_OTHER_VERSION "0.0.0"
#endif

#define RG_OTHER_MAX_RULES 128
#define RG_OTHER_MAX_BYTES 16384

struct rg_other_rule {
	bool allow;
	u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	u16 lo, hi;
};

static struct rg_other_rule rules[RG_OTHER_MAX_RULES];
static unsigned int nrules;
static DEFINE_MUTEX(rules_lock);

#ifdef RG_OTHER_FAULT_NULL
/* The 1.1.0 bad build: a lookup table by first port, whose allocation was forgotten. */
static struct rg_other_rule **by_port;
#endif

static noinline int rg_other_add(const struct rg_other_rule *r, unsigned int n)
{
#ifdef RG_OTHER_FAULT_NULL
	struct rg_other_rule **table = READ_ONCE(by_port);
#endif

	if (n >= RG_OTHER_MAX_RULES)
		return -E2BIG;
	rules[n] = *r;
#ifdef RG_OTHER_FAULT_NULL
	WRITE_ONCE(table[r->lo % 64], &rules[n]);
#endif
	return 0;
}

/* One rule line; 0 or -EINVAL. */
static int rg_other_parse(char *line, struct rg_other_rule *r)
{
	char verb[8], proto[8];
	unsigned int lo, hi;
	int used = 0;

	if (sscanf(line, "%7s %7s %u%n", verb, proto, &lo, &used) != 3)
		return -EINVAL;
	hi = lo;
	if (line[used] == '-' && sscanf(line + used + 1, "%u", &hi) != 1)
		return -EINVAL;
	if (strcmp(verb, "allow") == 0)
		r->allow = true;
	else if (strcmp(verb, "deny") == 0)
		r->allow = false;
	else
		return -EINVAL;
	if (strcmp(proto, "tcp") == 0)
		r->proto = 6;
	else if (strcmp(proto, "udp") == 0)
		r->proto = 17;
	else
		return -EINVAL;
	if (lo == 0 || lo > 65535 || hi < lo || hi > 65535)
		return -EINVAL;
	r->lo = (u16)lo;
	r->hi = (u16)hi;
	return 0;
}

/* A whole rules file per write: it replaces the table, or nothing changes. */
static ssize_t rules_write(struct file *f, const char __user *ubuf, size_t len, loff_t *off)
{
	char *buf, *p, *line;
	unsigned int n = 0, lineno = 0;
	int err = 0;

	if (len == 0 || len > RG_OTHER_MAX_BYTES)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	mutex_lock(&rules_lock);
	p = buf;
	while ((line = strsep(&p, "\n")) != NULL) {
		struct rg_other_rule r;

		lineno++;
		line = strim(line);
		if (lineno == 1) {
			if (strcmp(line, "RGOTHER 1") != 0) {
				err = -EINVAL;
				break;
			}
			continue;
		}
		if (line[0] == '\0' || line[0] == '#')
			continue;
		err = rg_other_parse(line, &r);
		if (!err)
			err = rg_other_add(&r, n);
		if (err) {
			pr_warn("rg_other: rules line %u refused (%d)\n", lineno, err);
			break;
		}
		n++;
	}
	if (!err)
		nrules = n;
	mutex_unlock(&rules_lock);
	kfree(buf);
	return err ? err : (ssize_t)len;
}

static const struct proc_ops rules_ops = {
	.proc_write = rules_write,
	.proc_lseek = noop_llseek,
};

static int status_show(struct seq_file *m, void *v)
{
	mutex_lock(&rules_lock);
	seq_printf(m, "version=%s rules=%u\n", RG_OTHER_VERSION, nrules);
	mutex_unlock(&rules_lock);
	return 0;
}

static struct proc_dir_entry *proc_dir;

static int __init rg_other_init(void)
{
	proc_dir = proc_mkdir("rg_other", NULL);
	if (!proc_dir)
		return -ENOMEM;
	if (!proc_create("rules", 0200, proc_dir, &rules_ops) ||
	    !proc_create_single("status", 0444, proc_dir, status_show)) {
		proc_remove(proc_dir);
		return -ENOMEM;
	}
	pr_info("rg_other %s: loaded\n", RG_OTHER_VERSION);
	return 0;
}

static void __exit rg_other_exit(void)
{
	proc_remove(proc_dir);
}

module_init(rg_other_init);
module_exit(rg_other_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rg-other sample port filter table (ringgate's second sample product)");
MODULE_VERSION(RG_OTHER_VERSION);
