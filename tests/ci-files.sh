#!/usr/bin/env bash
# The integration files users copy (ci/): every YAML file parses (python3-yaml) and has the
# structure the gate depends on (GitLab: a parallel shard job numbered from 0, a merge job that
# needs it and runs always, a JUnit report and the HTML exposed; GitHub Actions: a shard matrix
# matching RINGGATE_SHARDS, a merge job that needs it with annotations and the step summary;
# Kubernetes: an Indexed Job whose completions, parallelism and RINGGATE_SHARDS agree, with
# JOB_COMPLETION_INDEX as the shard, a merge Job, one PVC), and every shell script passes
# `bash -n` (and shellcheck where installed). Then broken copies must each be refused, so the
# check itself is known to fail. Last, each job's own shell runs against a stub ringgate: the
# shard index each engine passes, the folders the merge gets, where the merged report lands,
# and the exit codes.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/check.py" <<'EOF'
import glob, os, re, sys
import yaml

top = None
errors = []

def err(path, msg):
    errors.append(f"{os.path.relpath(path, top)}: error: {msg}")

def load(path):
    try:
        with open(path) as f:
            return [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as e:
        err(path, f"not YAML: {e}".replace("\n", " "))
        return None

def script_text(job):
    parts = []
    for key in ("before_script", "script", "after_script"):
        v = job.get(key) or []
        parts.extend(v if isinstance(v, list) else [v])
    return "\n".join(str(p) for p in parts)

def check_gitlab(path, doc):
    jobs = {k: v for k, v in doc.items() if isinstance(v, dict) and "script" in v}
    gates = [k for k, v in jobs.items() if "parallel" in v]
    if len(gates) != 1:
        return err(path, f"want one job with parallel:, found {gates}")
    gate = gates[0]
    g = jobs[gate]
    if not isinstance(g["parallel"], int) or not 2 <= g["parallel"] <= 200:
        err(path, f"{gate}.parallel must be a number of shards (2..200)")
    s = script_text(g)
    if not re.search(r"\$\(\(\s*CI_NODE_INDEX\s*-\s*1\s*\)\)", s):
        err(path, f"{gate}: the shard index must be $((CI_NODE_INDEX - 1)) (ringgate counts from 0)")
    if "--shard" not in s or "CI_NODE_TOTAL" not in s or "-o " not in s:
        err(path, f"{gate}: script must run ringgate run --shard I/$CI_NODE_TOTAL -o DIR")
    if (g.get("artifacts") or {}).get("when") != "always":
        err(path, f"{gate}: artifacts.when must be always (a blocked shard's report is needed)")
    merges = [k for k, v in jobs.items() if "ringgate merge" in script_text(v)]
    if len(merges) != 1:
        return err(path, f"want one job running ringgate merge, found {merges}")
    m = jobs[merges[0]]
    needs = [n if isinstance(n, str) else n.get("job") for n in (m.get("needs") or [])]
    if gate not in needs:
        err(path, f"{merges[0]}.needs must name {gate}")
    if m.get("when") != "always":
        err(path, f"{merges[0]}.when must be always (a failed shard must still be merged)")
    art = m.get("artifacts") or {}
    junit = (art.get("reports") or {}).get("junit")
    if not junit or "junit.xml" not in str(junit):
        err(path, f"{merges[0]}: artifacts.reports.junit must name the merged junit.xml")
    if not art.get("expose_as") or not any("index.html" in p for p in art.get("paths") or []):
        err(path, f"{merges[0]}: the HTML report must be exposed (expose_as, index.html)")
    if "--summary-md" not in script_text(m):
        err(path, f"{merges[0]}: merge must write --summary-md")

def check_github(path, doc):
    jobs = doc.get("jobs") or {}
    if True not in doc and "on" not in doc:  # YAML 1.1 reads the key on as true
        err(path, "no on: trigger")
    gates = [k for k, v in jobs.items() if "shard" in ((v.get("strategy") or {}).get("matrix") or {})]
    if len(gates) != 1:
        return err(path, f"want one job with strategy.matrix.shard, found {gates}")
    gate = gates[0]
    g = jobs[gate]
    shards = g["strategy"]["matrix"]["shard"]
    if shards != list(range(len(shards))) or len(shards) < 2:
        err(path, f"{gate}: matrix.shard must be 0, 1, ..., N-1, not {shards}")
    n = (doc.get("env") or {}).get("RINGGATE_SHARDS")
    if str(n) != str(len(shards)):
        err(path, f"env.RINGGATE_SHARDS ({n}) must equal the matrix's {len(shards)} shards")
    if g["strategy"].get("fail-fast") is not False:
        err(path, f"{gate}: strategy.fail-fast must be false (one blocked shard stops none)")
    runs = "\n".join(s.get("run", "") for s in g.get("steps") or [])
    if "--shard" not in runs or "matrix.shard" not in runs:
        err(path, f"{gate}: a step must run ringgate run --shard ${{{{ matrix.shard }}}}/N")
    if not any("upload-artifact" in s.get("uses", "") for s in g.get("steps") or []):
        err(path, f"{gate}: each shard must upload its report (actions/upload-artifact)")
    merges = [k for k, v in jobs.items()
              if any("ringgate merge" in s.get("run", "") for s in v.get("steps") or [])]
    if len(merges) != 1:
        return err(path, f"want one job running ringgate merge, found {merges}")
    m = jobs[merges[0]]
    needs = m.get("needs") or []
    if gate not in (needs if isinstance(needs, list) else [needs]):
        err(path, f"{merges[0]}.needs must name {gate}")
    if "cancelled()" not in str(m.get("if", "")) and "always()" not in str(m.get("if", "")):
        err(path, f"{merges[0]}.if must run the merge after failed shards too")
    steps = m.get("steps") or []
    if not any("download-artifact" in s.get("uses", "") for s in steps):
        err(path, f"{merges[0]}: must download the shards' artifacts")
    if not any("upload-artifact" in s.get("uses", "") for s in steps):
        err(path, f"{merges[0]}: must upload the merged report")
    mrun = "\n".join(s.get("run", "") for s in steps)
    for word in ("--github-annotations", "GITHUB_STEP_SUMMARY", "exit $rc"):
        if word not in mrun:
            err(path, f"{merges[0]}: the merge step must use {word}")

def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env") or []}

def check_k8s(docs):
    pvcs, jobs = {}, {}
    for path, d in docs:
        kind = d.get("kind")
        name = (d.get("metadata") or {}).get("name")
        if not d.get("apiVersion") or not kind or not name:
            err(path, "every document needs apiVersion, kind and metadata.name")
        elif kind == "PersistentVolumeClaim":
            pvcs[name] = path
        elif kind == "Job":
            jobs[name] = (path, d)
        else:
            err(path, f"unexpected kind {kind}")
    indexed = [(n, p, d) for n, (p, d) in jobs.items()
               if d["spec"].get("completionMode") == "Indexed"]
    if len(indexed) != 1:
        err(top, f"ci/k8s: want one Job with completionMode: Indexed, found {[i[0] for i in indexed]}")
    for name, (path, d) in jobs.items():
        spec = d.get("spec") or {}
        pod = (spec.get("template") or {}).get("spec") or {}
        if pod.get("restartPolicy") not in ("Never", "OnFailure"):
            err(path, f"{name}: a Job's Pods need restartPolicy Never or OnFailure")
        cs = pod.get("containers") or []
        if len(cs) != 1:
            err(path, f"{name}: want one container")
            continue
        c = cs[0]
        text = " ".join(str(x) for x in (c.get("command") or []) + (c.get("args") or []))
        for v in pod.get("volumes") or []:
            claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
            if claim and claim not in pvcs:
                err(path, f"{name}: claim {claim} is not defined in ci/k8s")
        if spec.get("completionMode") == "Indexed":
            n = env_of(c).get("RINGGATE_SHARDS")
            if not (str(spec.get("completions")) == str(spec.get("parallelism")) == str(n)):
                err(path, f"{name}: completions ({spec.get('completions')}), parallelism "
                    f"({spec.get('parallelism')}) and RINGGATE_SHARDS ({n}) must agree")
            if "--shard" not in text or "$JOB_COMPLETION_INDEX/$RINGGATE_SHARDS" not in text:
                err(path, f"{name}: must run --shard $JOB_COMPLETION_INDEX/$RINGGATE_SHARDS")
            if not (c.get("securityContext") or {}).get("privileged"):
                err(path, f"{name}: the embedded driver's container must be privileged")
        elif "ringgate merge" not in text:
            err(path, f"{name}: a Job that is not the shards' must run ringgate merge")
    if not any("ringgate merge" in " ".join(str(x) for x in
               (d["spec"]["template"]["spec"]["containers"][0].get("args") or []))
               for _, (_, d) in jobs.items()):
        err(top, "ci/k8s: no merge Job")

def run():
    files = sorted(glob.glob(os.path.join(top, "**", "*.y*ml"), recursive=True))
    if not files:
        err(top, "no YAML file")
    k8s = []
    seen = set()
    for path in files:
        docs = load(path)
        if docs is None:
            continue
        rel = os.path.relpath(path, top)
        if rel == "gitlab-ci.yml":
            check_gitlab(path, docs[0]); seen.add("gitlab")
        elif rel == "github-actions.yml":
            check_github(path, docs[0]); seen.add("github")
        elif rel.startswith("k8s" + os.sep):
            k8s.extend((path, d) for d in docs); seen.add("k8s")
        else:
            err(path, "a YAML file no check knows (add one to tests/ci-files.sh)")
    if k8s:
        check_k8s(k8s)
    for want in ("gitlab", "github", "k8s"):
        if want not in seen:
            err(top, f"the {want} integration is missing")
    return len(files)

# One process for every folder given: each folder's messages go to DIR.out, DIR.rc is 0 or 1.
for top in sys.argv[1:]:
    errors = []
    try:
        n = run()
    except Exception as e:  # a structure so broken that a check tripped on it
        err(top, f"unexpected structure: {type(e).__name__}: {e}")
        n = 0
    with open(top + ".out", "w") as f:
        f.writelines(e + "\n" for e in errors)
        f.write(f"{n} YAML files, {len(errors)} errors\n")
    with open(top + ".rc", "w") as f:
        f.write("1\n" if errors else "0\n")
EOF

# shells DIR [lint]: every shell script's syntax (with lint: shellcheck too, where installed;
# the broken copies skip it, as it takes seconds per copy).
shells() {
    local dir=$1 lint=${2:-} bad=0 f
    while IFS= read -r f; do
        if ! bash -n "$f" 2>&1; then
            echo "${f#"$dir"/}: error: bash -n fails"
            bad=1
        elif [ -n "$lint" ] && command -v shellcheck >/dev/null && ! shellcheck -S warning "$f"; then
            echo "${f#"$dir"/}: error: shellcheck warnings"
            bad=1
        fi
    done < <(find "$dir" -name '*.sh' | sort)
    return $bad
}

passed=0 failed=0
ok() { echo "PASS: $1"; passed=$((passed + 1)); }
ko() { echo "FAIL: $1"; failed=$((failed + 1)); }

# Debian's python3 with python3-yaml (scripts/install-deps.sh), whatever else is first in PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
"$py" -c 'import yaml' 2>/dev/null || { echo "FAIL: python3-yaml is missing"; exit 1; }

# Broken copies, each refused with its message: copy-N with its name and expected message.
names=() wants=()
broken() { # NAME EXPECTED-MESSAGE MUTATION (python on the copy's files, cwd = the copy)
    local d=$tmp/copy-${#names[@]}
    names+=("$1")
    wants+=("$2")
    cp -r "$root/ci" "$d"
    (cd "$d" && "$py" -c "$3") || echo "mutation failed" >"$d.mutation"
}
sub='import sys
def sub(path, old, new):
    s = open(path).read()
    assert old in s, (path, old)
    open(path, "w").write(s.replace(old, new, 1))
'
broken "a YAML syntax error" "gitlab-ci.yml: error: not YAML" \
    "$sub"'sub("gitlab-ci.yml", "stages: [gate, merge]", "stages: [gate, merge")'
broken "gitlab: no parallel" "want one job with parallel:" \
    "$sub"'sub("gitlab-ci.yml", "  parallel: 4\n", "")'
broken "gitlab: a 1-based shard index" 'must be $((CI_NODE_INDEX - 1))' \
    "$sub"'sub("gitlab-ci.yml", "shard=$((CI_NODE_INDEX - 1))", "shard=$CI_NODE_INDEX")'
broken "gitlab: merge without needs" ".needs must name ringgate-shard" \
    "$sub"'sub("gitlab-ci.yml", "    - job: ringgate-shard\n", "    - job: other\n")'
broken "gitlab: no junit report" "artifacts.reports.junit" \
    "$sub"'sub("gitlab-ci.yml", "      junit: reports/gate/junit.xml\n", "      dotenv: x.env\n")'
broken "github: matrix from 1" "matrix.shard must be 0, 1, ..., N-1" \
    "$sub"'sub("github-actions.yml", "shard: [0, 1, 2, 3]", "shard: [1, 2, 3, 4]")'
broken "github: shard count differs" "must equal the matrix" \
    "$sub"'sub("github-actions.yml", "RINGGATE_SHARDS: 4", "RINGGATE_SHARDS: 3")'
broken "github: merge without needs" ".needs must name gate" \
    "$sub"'sub("github-actions.yml", "    needs: gate\n", "")'
broken "github: no annotations" "must use --github-annotations" \
    "$sub"'sub("github-actions.yml", " --github-annotations", "")'
broken "k8s: not Indexed" "want one Job with completionMode: Indexed" \
    "$sub"'sub("k8s/shards-job.yaml", "completionMode: Indexed", "completionMode: NonIndexed")'
broken "k8s: completions differ" "must agree" \
    "$sub"'sub("k8s/shards-job.yaml", "parallelism: 4", "parallelism: 2")'
broken "k8s: no JOB_COMPLETION_INDEX" 'must run --shard $JOB_COMPLETION_INDEX/$RINGGATE_SHARDS' \
    "$sub"'sub("k8s/shards-job.yaml", "--shard \"$JOB_COMPLETION_INDEX/", "--shard \"$INDEX/")'
broken "k8s: no merge Job" "no merge Job" \
    'import os; os.remove("k8s/merge-job.yaml")'
broken "a shell syntax error" "container/build.sh: error: bash -n fails" \
    "$sub"'sub("container/build.sh", "esac\ndone", "esac\n")'
copies=()
for i in "${!names[@]}"; do copies+=("$tmp/copy-$i"); done

cp -r "$root/ci" "$tmp/shipped"
"$py" "$tmp/check.py" "$tmp/shipped" "${copies[@]}" || { echo "FAIL: the checker crashed"; exit 1; }

out=$(cat "$tmp/shipped.out"; shells "$root/ci" lint)
if [ $? -eq 0 ] && [ "$(cat "$tmp/shipped.rc")" = 0 ]; then
    printf '%s\n' "$out"
    ok "ci/ as shipped"
else
    printf '%s\n' "$out"
    ko "ci/ as shipped"
fi
for i in "${!names[@]}"; do
    d=$tmp/copy-$i
    rc=$(cat "$d.rc")
    out=$(cat "$d.out" "$d.mutation" 2>/dev/null; shells "$d") || rc=1
    if [ ! -e "$d.mutation" ] && [ "$rc" != 0 ] && grep -qF -- "${wants[$i]}" <<<"$out"; then
        ok "${names[$i]} is refused"
    else
        ko "${names[$i]} is not refused with '${wants[$i]}'"
        printf '%s\n' "$out" | sed 's/^/    /'
    fi
done

# The jobs' own shell, run for real against a stub ringgate that records its arguments and
# writes what run and merge would (a report folder under -o): the shard index each engine
# passes, the folders the merge is given, where the merged report lands, and the exit codes.
mkdir -p "$tmp/bin" "$tmp/jobs"
cat >"$tmp/bin/ringgate" <<'EOF'
#!/bin/sh
# The stub: logs its arguments, writes OUT/stub-<cmd>/{report.json,junit.xml,index.html}.
echo "$*" >>"$RG_STUB_LOG"
cmd=$1
out=
while [ $# -gt 0 ]; do
    [ "$1" != -o ] || out=$2
    shift
done
if [ -n "$out" ]; then
    mkdir -p "$out/stub-$cmd"
    for f in report.json junit.xml index.html; do echo stub >"$out/stub-$cmd/$f"; done
fi
case $cmd in run) exit "${RG_STUB_RUN_RC:-0}" ;; merge) exit 3 ;; *) exit 0 ;; esac
EOF
chmod +x "$tmp/bin/ringgate"
"$py" - "$root/ci" "$tmp/jobs" <<'EOF'
import os, sys, yaml
ci, out = sys.argv[1], sys.argv[2]
def put(name, text):
    with open(os.path.join(out, name), "w") as f:
        f.write(text + "\n")
gl = yaml.safe_load(open(os.path.join(ci, "gitlab-ci.yml")))
put("gitlab-gate", "\n".join(gl["ringgate-shard"]["script"]))
put("gitlab-merge", "\n".join(gl["ringgate-merge"]["script"]))
put("gitlab-junit", gl["ringgate-merge"]["artifacts"]["reports"]["junit"])
gh = yaml.safe_load(open(os.path.join(ci, "github-actions.yml")))
put("github-gate", "\n".join(s["run"] for s in gh["jobs"]["gate"]["steps"] if "run" in s)
    .replace("${{ matrix.shard }}", "2"))
put("github-merge", "\n".join(s["run"] for s in gh["jobs"]["merge"]["steps"] if "run" in s))
put("github-upload", [s for s in gh["jobs"]["merge"]["steps"]
                      if "upload-artifact" in s.get("uses", "")][0]["with"]["path"])
for name in ("shards-job", "merge-job"):
    job = yaml.safe_load(open(os.path.join(ci, "k8s", name + ".yaml")))
    c = job["spec"]["template"]["spec"]["containers"][0]
    put("k8s-" + name, c["args"][0])
EOF
[ $? -eq 0 ] || ko "the jobs' scripts could not be extracted"

# job NAME SHELL SCRIPT-FILE [VAR=VALUE...]: runs it in a fresh folder ($w), PATH first the stub.
job() {
    local name=$1 sh=$2 file=$3
    shift 3
    w=$tmp/w-$name
    rm -rf "$w"
    mkdir -p "$w"
    : >"$tmp/log"
    (cd "$w" && env PATH="$tmp/bin:$PATH" RG_STUB_LOG="$tmp/log" "$@" "$sh" -e "$file" \
        >"$tmp/job.out" 2>&1)
}
expect() { # NAME RC WANT-RC WANT-ARGS [FILE-THAT-MUST-EXIST]
    if [ "$2" = "$3" ] && grep -qxF -- "$4" "$tmp/log" && { [ -z "${5:-}" ] || [ -e "$5" ]; }; then
        ok "$1"
    else
        ko "$1: exit $2 (want $3), ringgate called as:"
        sed 's/^/    /' "$tmp/log" "$tmp/job.out"
        [ -z "${5:-}" ] || [ -e "$5" ] || echo "    $5 is missing"
    fi
}
sc=s.yaml
job gitlab-gate bash "$tmp/jobs/gitlab-gate" CI_NODE_INDEX=1 CI_NODE_TOTAL=4 RINGGATE_SCENARIOS=$sc
expect "gitlab: job 1 of 4 runs shard 0/4" $? 0 \
    "run $sc --shard 0/4 -o reports/shard-0 --summary-md reports/shard-0/summary.md"
job gitlab-gate bash "$tmp/jobs/gitlab-gate" CI_NODE_INDEX=4 CI_NODE_TOTAL=4 RINGGATE_SCENARIOS=$sc
expect "gitlab: job 4 of 4 runs shard 3/4" $? 0 \
    "run $sc --shard 3/4 -o reports/shard-3 --summary-md reports/shard-3/summary.md"

# The merge jobs get two shards' run folders (`job NAME bash /dev/null` makes a fresh $w) and
# the stub merge exits 3.
shards() { for i in 0 1; do mkdir -p "$w/$1$i/run$i" && echo '{}' >"$w/$1$i/run$i/report.json"; done; }
job gitlab-merge bash /dev/null && shards reports/shard-
(cd "$w" && env PATH="$tmp/bin:$PATH" RG_STUB_LOG="$tmp/log" bash -e "$tmp/jobs/gitlab-merge" \
    >"$tmp/job.out" 2>&1)
expect "gitlab: the merge gets every shard and exits with the verdict" $? 3 \
    "merge reports/shard-0/run0 reports/shard-1/run1 -o reports/merged --summary-md reports/summary.md" \
    "$w/$(cat "$tmp/jobs/gitlab-junit")"

job github-gate bash "$tmp/jobs/github-gate" RINGGATE_SHARDS=4 RINGGATE_SCENARIOS=$sc
expect "github: matrix shard 2 runs shard 2/4" $? 0 "run $sc --shard 2/4 -o reports/shard-2"
job github-merge bash /dev/null && shards shards/ringgate-shard-
(cd "$w" && env PATH="$tmp/bin:$PATH" RG_STUB_LOG="$tmp/log" GITHUB_STEP_SUMMARY="$tmp/summary" \
    bash -e "$tmp/jobs/github-merge" >"$tmp/job.out" 2>&1)
expect "github: the merge gets every shard and exits with the verdict" $? 3 \
    "merge shards/ringgate-shard-0/run0 shards/ringgate-shard-1/run1 -o reports/merged --summary-md $tmp/summary --github-annotations" \
    "$w/$(cat "$tmp/jobs/github-upload")/junit.xml"

# Kubernetes' scripts name /reports: here a folder of the test.
sed "s|/reports|$tmp/w-k8s/reports|g" "$tmp/jobs/k8s-shards-job" >"$tmp/jobs/k8s-shards"
sed "s|/reports|$tmp/w-k8s/reports|g" "$tmp/jobs/k8s-merge-job" >"$tmp/jobs/k8s-merge"
job k8s sh "$tmp/jobs/k8s-shards" JOB_COMPLETION_INDEX=3 RINGGATE_SHARDS=4 RINGGATE_SCENARIOS=$sc \
    RG_STUB_RUN_RC=1
rc=$?
expect "k8s: index 3 runs shard 3/4; a blocked shard's Pod succeeds" $rc 0 \
    "run $sc --shard 3/4 -o $w/reports/shard-3 --summary-md $w/reports/shard-3/summary.md -v" \
    "$w/reports/shard-3/stub-run/report.json"
if [ "$(cat "$w/reports/shard-3/exit-code" 2>/dev/null)" = 1 ]; then ok "k8s: the shard's exit code is kept"
else ko "k8s: the shard's exit code is not kept in exit-code"; fi
job k8s sh "$tmp/jobs/k8s-shards" JOB_COMPLETION_INDEX=0 RINGGATE_SHARDS=4 RINGGATE_SCENARIOS=$sc \
    RG_STUB_RUN_RC=2
expect "k8s: a usage error fails the Pod" $? 2 \
    "run $sc --shard 0/4 -o $w/reports/shard-0 --summary-md $w/reports/shard-0/summary.md -v"
job k8s sh /dev/null && shards reports/shard-
(cd "$w" && env PATH="$tmp/bin:$PATH" RG_STUB_LOG="$tmp/log" sh -e "$tmp/jobs/k8s-merge" \
    >"$tmp/job.out" 2>&1)
expect "k8s: the merge Job gets every shard and exits with the verdict" $? 3 \
    "merge $w/reports/shard-0/run0 $w/reports/shard-1/run1 -o $w/reports/merged --summary-md $w/reports/merged-summary.md"


echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
