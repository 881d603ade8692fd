#!/usr/bin/env bash
# Builds the action's image with podman and runs it the way GitHub's runner runs a container
# action (issue 14, point 2; /work/shared/CONTAINERS.md has the recipe and the runner's line):
#
#   1. the static musl binary, once, with its checks (.ci/static-binary.sh), in a tiny context;
#   2. `podman build` of the repository's Dockerfile as localhost/itm-gate:ci: no USER, the
#      binary as entrypoint, under 15 MB;
#   3. the image's files: the binary and its own CA bundle only, the bundle the one of the
#      context and holding the public roots;
#   4. the runner's `docker run`: --workdir /github/workspace, INPUT_* from action.yml's defaults
#      and the step's `with:`, the GITHUB_*/RUNNER_* variables, HOME=/github/home, the four
#      mounts, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY under /github/file_commands, RUNNER_TEMP and
#      RUNNER_WORKSPACE as host paths, and reports whose rootDir is the runner's checkout
#      (/home/runner/work/ITM-gd/ITM-gd), against a stand-in GitHub API over HTTPS whose
#      certificate comes from a test CA made here (.ci/github-api-standin.py):
#        - a green run commits the evidence (checked on the stand-in) and writes its outputs,
#          the summary and evidence-file, and leaves nothing else in the workspace;
#        - a strict-mode failure exits 1 and commits nothing;
#        - without SSL_CERT_FILE the binary trusts the image's bundle, not the test CA, and it
#          reads that bundle from the image's path (the test CA mounted there is trusted).
#
# Leaves the image tagged localhost/itm-gate:ci (podman --storage-driver vfs) for later checks;
# removes its containers and temporary files. Installs podman, runc, musl-tools and openssl
# itself. Called by .ci/run; runs alone too: `bash .ci/container-check.sh`. KEEP_WORK=1 keeps the
# temporary folder (workspaces, outputs, the stand-in's log) for a look after a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=container-check
# shellcheck source=.ci/lib.sh
. .ci/lib.sh
SECONDS=0

IMAGE=localhost/itm-gate:ci
MAX_BYTES=$((15 * 1000 * 1000)) # 15 MB, DESIGN.md section 9
REPOSITORY=n8kahl/ITM-gd
STATUS_FILE=docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md
SHA=0123456789abcdef0123456789abcdef01234567
BACKEND_URL=https://staging-api.example.test
TOKEN="ghs_containerCheck$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
RUNTIME_TOKEN="runtime$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
REPORTS=tests/fixtures/reports/playwright-1.58.2

# --- tools -------------------------------------------------------------------------------------
missing=()
for tool in podman:podman runc:runc openssl:openssl; do
	command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
[ "${#missing[@]}" = 0 ] || apt_install "${missing[@]}"
command -v python3 >/dev/null || apt_install python3
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check pyyaml

WORK="$(mktemp -d "${TMPDIR:-/tmp}/itm-gate-container.XXXXXX")"
STANDIN_PID=""
cleanup() {
	local code=$?
	[ -z "$STANDIN_PID" ] || kill "$STANDIN_PID" 2>/dev/null || true
	# Containers of this script only: they carry its label (runs use --rm; this catches a kill).
	if [ -n "${P:-}" ]; then
		"${P[@]}" ps -a -q --filter label=itm-gate-container-check | while read -r id; do
			"${P[@]}" rm -f "$id" >/dev/null 2>&1 || true
		done
	fi
	if [ "${KEEP_WORK:-}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
	exit "$code"
}
trap cleanup EXIT

# podman's default rlimits exceed the sandbox's hard limits, and crun cannot handle its cgroups.
printf '[containers]\ndefault_ulimits = []\n' >"$WORK/containers.conf"
export CONTAINERS_CONF="$WORK/containers.conf"
P=(podman --storage-driver vfs --cgroup-manager cgroupfs --runtime runc)
# GitHub's runner runs container actions with a rootful engine; so do we (sudo when not root).
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || fail "podman needs root here: run as root or install sudo"
	P=(sudo env "CONTAINERS_CONF=$CONTAINERS_CONF" "${P[@]}")
fi

# --- 1. the binary and the build context -------------------------------------------------------
CONTEXT="$WORK/context"
mkdir -p "$CONTEXT"
bash .ci/static-binary.sh "$CONTEXT/dist"
cp Dockerfile .dockerignore "$CONTEXT/"
ARCH="$(docker_arch "$(rust_musl_target)")"

# --- 2. the image ------------------------------------------------------------------------------
say "building $IMAGE with podman (context: $(du -sh "$CONTEXT" | cut -f1))"
"${P[@]}" rmi -f "$IMAGE" >/dev/null 2>&1 || true
"${P[@]}" build --isolation chroot --layers=false --platform "linux/$ARCH" -t "$IMAGE" -f "$CONTEXT/Dockerfile" "$CONTEXT"
inspect() { "${P[@]}" image inspect --format "$1" "$IMAGE"; }
size="$(inspect '{{.Size}}')"
user="$(inspect '{{.Config.User}}')"
entrypoint="$(inspect '{{json .Config.Entrypoint}}')"
image_arch="$(inspect '{{.Architecture}}')"
[ -z "$user" ] || [ "$user" = root ] || [ "$user" = 0 ] ||
	fail "the image sets USER $user; GitHub runs container actions as root"
[ "$entrypoint" = '["/itm-gate"]' ] || fail "entrypoint is $entrypoint, not [\"/itm-gate\"]"
[ "$image_arch" = "$ARCH" ] || fail "the image is for $image_arch, not $ARCH"
[ "$size" -lt "$MAX_BYTES" ] || fail "the image is $size bytes; the budget is under $MAX_BYTES"
"${P[@]}" run --rm --network none "$IMAGE" --version
say "image OK: $IMAGE, $size bytes, $image_arch, entrypoint $entrypoint, no USER"

# --- 3. the image's files and its CA bundle ----------------------------------------------------
probe="itm-gate-files-$$"
"${P[@]}" create --name "$probe" --label itm-gate-container-check "$IMAGE" >/dev/null
"${P[@]}" export "$probe" >"$WORK/image.tar"
"${P[@]}" rm "$probe" >/dev/null
files="$(tar -tvf "$WORK/image.tar" | awk '$1 !~ /^d/ {print $1, $NF}' | sort)"
[ "$files" = "$(printf '%s\n' "-rw-r--r-- etc/ssl/certs/ca-certificates.crt" "-rwxr-xr-x itm-gate")" ] ||
	fail "the image must hold the binary and the CA bundle, nothing else: $files"
tar -xOf "$WORK/image.tar" etc/ssl/certs/ca-certificates.crt >"$WORK/image-ca.crt"
cmp -s "$WORK/image-ca.crt" "$CONTEXT/dist/ca-certificates.crt" ||
	fail "the image's CA bundle is not the one of the build context"
roots="$(grep -c 'BEGIN CERTIFICATE' "$WORK/image-ca.crt")"
[ "$roots" -ge 100 ] || fail "the image's CA bundle holds $roots certificates; expected the public roots"
subjects="$(openssl crl2pkcs7 -nocrl -certfile "$WORK/image-ca.crt" | openssl pkcs7 -print_certs -noout)"
# Roots of api.github.com's chains (Sectigo/USERTrust, DigiCert) and of Let's Encrypt.
for root in "USERTrust ECC Certification Authority" "USERTrust RSA Certification Authority" \
	"DigiCert Global Root G2" "ISRG Root X1"; do
	grep -q "CN = $root\$" <<<"$subjects" || fail "the image's CA bundle lacks the public root \"$root\""
done
say "files OK: /itm-gate and /etc/ssl/certs/ca-certificates.crt only; the bundle holds $roots certificates incl. USERTrust, DigiCert, ISRG"

# --- 4. the stand-in GitHub API over HTTPS, certified by a test CA -----------------------------
PKI="$WORK/pki"
mkdir -p "$PKI"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=itm-gate container-check test CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-keyout "$PKI/ca.key" -out "$PKI/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	-keyout "$PKI/server.key" -out "$PKI/server.csr" 2>/dev/null
printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
	"extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$PKI/server.ext"
openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
	-days 2 -extfile "$PKI/server.ext" -out "$PKI/server.pem" 2>/dev/null

API_LOG="$WORK/api-requests.jsonl"
WRITTEN="$WORK/api-written"
mkdir -p "$WRITTEN"
: >"$API_LOG"
python3 .ci/github-api-standin.py --cert "$PKI/server.pem" --key "$PKI/server.key" \
	--token "$TOKEN" --repository "$REPOSITORY" --path "$STATUS_FILE" \
	--content tests/fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md \
	--log "$API_LOG" --written-dir "$WRITTEN" --port-file "$WORK/api-port" &
STANDIN_PID=$!
for _ in $(seq 100); do [ -s "$WORK/api-port" ] && break; sleep 0.1; done
[ -s "$WORK/api-port" ] || fail "the stand-in GitHub API did not start"
API_URL="https://127.0.0.1:$(cat "$WORK/api-port")"
say "stand-in GitHub API at $API_URL (test CA $PKI/ca.pem)"

# api_requests METHOD: how many requests of METHOD the stand-in has received.
api_requests() { grep -c "\"method\": \"$1\"" "$API_LOG" || true; }

# --- the runner ----------------------------------------------------------------------------------
# step_dirs NAME REPORT LOG: lays out one step's folders as the runner has them on the host:
# <work>/_temp/{_github_home,_github_workflow,_runner_file_commands} and the workspace
# <work>/ITM-gd/ITM-gd of the example's gate job, which has no checkout: the artifact it
# downloads (test-results/results.json, e2e-logs/playwright.log). Sets STEP and WS.
step_dirs() {
	STEP="$WORK/steps/$1"
	WS="$STEP/work/ITM-gd/ITM-gd"
	mkdir -p "$STEP/work/_temp/_github_home" "$STEP/work/_temp/_github_workflow" \
		"$STEP/work/_temp/_runner_file_commands" "$WS/test-results" "$WS/e2e-logs"
	cp "$2" "$WS/test-results/results.json"
	cp "$3" "$WS/e2e-logs/playwright.log"
	printf '{"inputs":{"backend_url":"%s"},"ref":"refs/heads/Aiupgrade","repository":{"full_name":"%s","default_branch":"main"},"sender":{"login":"n8kahl"},"workflow":".github/workflows/ai-coach-live-e2e.yml"}\n' \
		"$BACKEND_URL" "$REPOSITORY" >"$STEP/work/_temp/_github_workflow/event.json"
}

# run_step NAME [podman run options...] [-- input=value...]: runs the image as the runner runs
# a step with these `with:` inputs, in the folders of step_dirs NAME. Sets CODE; stdout, stderr,
# the output and summary files are in $STEP.
run_step() {
	local name="$1"
	shift
	local options=() overrides=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do options+=("$1") && shift; done
	[ $# = 0 ] || shift
	overrides=("$@")
	local id
	id="$(cat /proc/sys/kernel/random/uuid)"
	local commands="$STEP/work/_temp/_runner_file_commands"
	for file in set_output save_state set_env add_path step_summary; do
		: >"$commands/${file}_$id"
	done
	# INPUT_<NAME> for every input: the default of action.yml with its expressions evaluated as
	# the runner would, or the step's `with:` value.
	local inputs=()
	mapfile -d '' inputs < <(python3 - "$TOKEN" "${overrides[@]}" <<-'PY'
		import sys, yaml
		token, overrides = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
		action = yaml.safe_load(open("action.yml", encoding="utf-8"))
		unknown = set(overrides) - set(action["inputs"])
		if unknown:
		    sys.exit(f"the step passes undeclared inputs {sorted(unknown)}")
		expressions = {"${{ github.token }}": token, "${{ job.status }}": "success"}
		for name, spec in action["inputs"].items():
		    value = overrides.get(name, str(spec.get("default", "")))
		    value = expressions.get(value, value)
		    if "${{" in value:
		        sys.exit(f"input {name}: no value for the expression {value}")
		    sys.stdout.write(f"-e\0INPUT_{name.upper()}={value}\0")
	PY
	)
	[ "${#inputs[@]}" -gt 0 ] || fail "no inputs from action.yml"
	local fc=/github/file_commands
	local env=(
		-e HOME=/github/home -e CI=true -e GITHUB_ACTIONS=true
		-e GITHUB_JOB=gate -e GITHUB_REF=refs/heads/Aiupgrade -e GITHUB_REF_NAME=Aiupgrade
		-e GITHUB_REF_PROTECTED=false -e GITHUB_REF_TYPE=branch -e GITHUB_SHA="$SHA"
		-e GITHUB_REPOSITORY="$REPOSITORY" -e GITHUB_REPOSITORY_OWNER=n8kahl
		-e GITHUB_REPOSITORY_ID=812345678 -e GITHUB_REPOSITORY_OWNER_ID=1234567
		-e GITHUB_RUN_ID=13101234567 -e GITHUB_RUN_NUMBER=42 -e GITHUB_RUN_ATTEMPT=1
		-e GITHUB_RETENTION_DAYS=90 -e GITHUB_ACTOR=n8kahl -e GITHUB_ACTOR_ID=1234567
		-e GITHUB_TRIGGERING_ACTOR=n8kahl -e GITHUB_WORKFLOW="AI Coach Live E2E"
		-e GITHUB_WORKFLOW_REF="$REPOSITORY/.github/workflows/ai-coach-live-e2e.yml@refs/heads/Aiupgrade"
		-e GITHUB_WORKFLOW_SHA="$SHA" -e GITHUB_HEAD_REF= -e GITHUB_BASE_REF=
		-e GITHUB_EVENT_NAME=workflow_dispatch -e GITHUB_SERVER_URL=https://github.com
		-e GITHUB_API_URL="$API_URL" -e GITHUB_GRAPHQL_URL="$API_URL/graphql"
		-e RUNNER_NAME="GitHub Actions 3" -e RUNNER_OS=Linux -e RUNNER_ARCH=X64
		-e RUNNER_ENVIRONMENT=github-hosted -e RUNNER_TOOL_CACHE=/opt/hostedtoolcache
		-e RUNNER_TEMP=/home/runner/work/_temp -e RUNNER_WORKSPACE=/home/runner/work/ITM-gd
		-e GITHUB_WORKSPACE=/github/workspace -e GITHUB_ACTION=gate
		-e GITHUB_EVENT_PATH=/github/workflow/event.json
		-e GITHUB_ACTION_REPOSITORY=n8kahl/itm-gate-action -e GITHUB_ACTION_REF=v1
		-e GITHUB_PATH="$fc/add_path_$id" -e GITHUB_ENV="$fc/set_env_$id"
		-e GITHUB_STEP_SUMMARY="$fc/step_summary_$id" -e GITHUB_STATE="$fc/save_state_$id"
		-e GITHUB_OUTPUT="$fc/set_output_$id"
		-e ACTIONS_RUNTIME_URL=https://pipelines.actions.githubusercontent.com/x/
		-e ACTIONS_RUNTIME_TOKEN="$RUNTIME_TOKEN" -e ACTIONS_CACHE_URL=https://artifactcache.actions.githubusercontent.com/x/
		-e ACTIONS_RESULTS_URL=https://results-receiver.actions.githubusercontent.com/
	)
	find "$WS" -type f | sort >"$STEP/files-before"
	set +e
	"${P[@]}" run --name "itm-gate-$name-$$" --label itm-gate-container-check \
		--workdir /github/workspace --rm --network host "${inputs[@]}" "${env[@]}" \
		-v "$STEP/work/_temp/_github_home:/github/home" \
		-v "$STEP/work/_temp/_github_workflow:/github/workflow" \
		-v "$commands:/github/file_commands" \
		-v "$WS:/github/workspace" \
		"${options[@]}" "$IMAGE" >"$STEP/stdout" 2>"$STEP/stderr"
	CODE=$?
	set -e
	find "$WS" -type f | sort >"$STEP/files-after"
	OUTPUT_FILE="$commands/set_output_$id"
	SUMMARY_FILE="$commands/step_summary_$id"
	say "run $name: exit $CODE"
	local leaked
	leaked="$(cat "$STEP/stdout" "$STEP/stderr" "$OUTPUT_FILE" "$SUMMARY_FILE" |
		grep -c -F -e "$TOKEN" -e "$RUNTIME_TOKEN" || true)"
	[ "$leaked" = 0 ] || fail "run $name: a token appears in its output"
	for unexpected in set_env add_path save_state; do
		[ ! -s "$commands/${unexpected}_$id" ] || fail "run $name wrote $unexpected"
	done
}

# output NAME: the step output NAME of the last run, read as the runner reads GITHUB_OUTPUT.
output() {
	python3 - "$OUTPUT_FILE" "$1" <<-'PY'
		import sys
		lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
		values, i = {}, 0
		while i < len(lines):
		    line = lines[i]
		    i += 1
		    if not line:
		        continue
		    if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
		        name, delimiter = line.split("<<", 1)
		        end = lines.index(delimiter, i)
		        values[name] = "\n".join(lines[i:end])
		        i = end + 1
		    else:
		        name, value = line.split("=", 1)
		        values[name] = value
		print(values.get(sys.argv[2], ""), end="")
	PY
}

# explain: what the last run printed, for a failure message.
explain() { printf -- '--- stdout\n%s\n--- stderr\n%s\n' "$(tail -n 30 "$STEP/stdout")" "$(tail -n 30 "$STEP/stderr")"; }

# Every run mounts the test CA at /github/ca (outside the workspace) for SSL_CERT_FILE.
TRUST_TEST_CA=(-v "$PKI/ca.pem:/github/ca/test-ca.pem:ro" -e SSL_CERT_FILE=/github/ca/test-ca.pem)
# The `with:` of the gate step of examples/ai-coach-live-e2e.yml on a green run of the tests job
# (its expressions evaluated), and evidence-file.
REPORT_URL="https://github.com/$REPOSITORY/actions/runs/13101234567/artifacts/4242"
mapfile -d '' GATE_WITH < <(python3 - "$BACKEND_URL" "$REPORT_URL" <<-'PY'
	import sys, yaml
	backend, report_url = sys.argv[1:]
	workflow = yaml.safe_load(open("examples/ai-coach-live-e2e.yml", encoding="utf-8"))
	for job in workflow["jobs"].values():
	    for step in job.get("steps", []):
	        if step.get("uses") != "n8kahl/itm-gate-action@v1":
	            continue
	        needs = "needs." + job["needs"]
	        for key, value in step["with"].items():
	            value = (str(value).replace("${{ inputs.backend_url }}", backend)
	                     .replace("${{ %s.result }}" % needs, "success")
	                     .replace("${{ %s.outputs.report-url }}" % needs, report_url))
	            if "${{" in value:
	                sys.exit(f"the example's gate input {key}: no value for {value}")
	            sys.stdout.write(f"{key}={value}\0")
	PY
)
[ "${#GATE_WITH[@]}" -gt 0 ] || fail "no gate step in examples/ai-coach-live-e2e.yml"
GATE_WITH+=(evidence-file=e2e-logs/evidence.md)

# --- 4a. a green run commits the evidence over HTTPS -------------------------------------------
step_dirs green "$REPORTS/green.json" "$REPORTS/green.log"
run_step green "${TRUST_TEST_CA[@]}" -- "${GATE_WITH[@]}"
[ "$CODE" = 0 ] || fail "the green run must exit 0, got $CODE$(explain)"
problems="$(grep -v '"problems": \[\]' "$API_LOG" || true)"
[ -z "$problems" ] || fail "requests GitHub would refuse: $problems"
[ "$(api_requests PUT)" = 1 ] || fail "the green run must commit once: $(cat "$API_LOG")"
grep -q '"branch": "Aiupgrade"' "$API_LOG" || fail "the commit must go to the branch under test"
committed="$WRITTEN/1.md"
head -n 1 tests/fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md | cmp -s - <(head -n 1 "$committed") ||
	fail "the committed document lost its first line"
for line in "<!-- itm-gate:evidence:begin -->" "### Staging Live Gate Evidence" "- Commit: $SHA" \
	"- Result: PASS" "- Workflow: https://github.com/$REPOSITORY/actions/runs/13101234567" \
	"- Backend URL: $BACKEND_URL" "  - e2e/specs/ai-coach/ai-coach-api.spec.ts: PASS"; do
	grep -qxF -- "$line" "$committed" || fail "the committed document lacks the line: $line"
done
commit="$(grep '"method": "PUT"' "$API_LOG" | sed 's/.*"commit": "\([0-9a-f]*\)".*/\1/')"
[ "$(output result)" = PASS ] || fail "output result is $(output result)$(explain)"
[ "$(output commit-sha)" = "$commit" ] || fail "output commit-sha is '$(output commit-sha)', the commit is $commit"
[ "$(output commit-url)" = "https://github.com/$REPOSITORY/commit/$commit" ] ||
	fail "output commit-url is '$(output commit-url)'"
[ "$(output failed)" = 0 ] || fail "output failed is '$(output failed)'"
evidence="$(output evidence)"
grep -qxF -- "- Result: PASS" <<<"$evidence" || fail "output evidence: $evidence"
[ "$(cat "$WS/e2e-logs/evidence.md")" = "$evidence" ] || fail "evidence-file differs from the evidence output"
grep -qF "Staging Live Gate Evidence" "$SUMMARY_FILE" || fail "the job summary lacks the evidence"
grep -qF "PASS" "$SUMMARY_FILE" || fail "the job summary lacks the result"
added="$(comm -13 "$STEP/files-before" "$STEP/files-after")"
[ "$added" = "$WS/e2e-logs/evidence.md" ] || fail "the run must add only evidence-file to the workspace, added: $added"
say "green run OK: PASS, commit $commit on Aiupgrade with the evidence block, outputs, summary, evidence-file"

# --- 4b. a failing run exits 1 and commits nothing ---------------------------------------------
puts_before="$(api_requests PUT)"
step_dirs strict-failure "$REPORTS/strict-failure.json" "$REPORTS/strict-failure.log"
run_step strict-failure "${TRUST_TEST_CA[@]}" -- "${GATE_WITH[@]}"
[ "$CODE" = 1 ] || fail "the strict-failure run must exit 1, got $CODE$(explain)"
[ "$(api_requests PUT)" = "$puts_before" ] || fail "the failing run committed: $(cat "$API_LOG")"
[ "$(output result)" = FAIL ] || fail "output result is $(output result)"
[ -n "$(output reasons)" ] || fail "a FAIL needs reasons"
[ -z "$(output commit-sha)" ] || fail "no commit, but commit-sha is $(output commit-sha)"
grep -qxF -- "- Result: FAIL" "$WS/e2e-logs/evidence.md" || fail "evidence-file must record the FAIL"
say "failing run OK: FAIL (exit 1), no commit, reasons: $(output reasons | head -n 1)"

# --- 4c. the image's own trust ------------------------------------------------------------------
# Without SSL_CERT_FILE the binary trusts the image's bundle: the stand-in's test CA is not in it,
# so the commit is refused at the TLS handshake (exit 3) and no request arrives.
requests_before="$(wc -l <"$API_LOG")"
step_dirs untrusted "$REPORTS/green.json" "$REPORTS/green.log"
run_step untrusted -- "${GATE_WITH[@]}"
[ "$CODE" = 3 ] || fail "with the image's public roots the test CA must be refused (exit 3), got $CODE$(explain)"
[ "$(wc -l <"$API_LOG")" = "$requests_before" ] || fail "a request passed an untrusted certificate"
grep -qi "certificate\|unknown issuer\|tls" "$STEP/stderr" || fail "the refusal should name the certificate$(explain)"
[ "$(output result)" = PASS ] || fail "a refused commit keeps the gate's result"
# The image's bundle path is the one the binary reads: the test CA mounted there is trusted.
step_dirs image-path "$REPORTS/green.json" "$REPORTS/green.log"
run_step image-path -v "$PKI/ca.pem:/etc/ssl/certs/ca-certificates.crt:ro" -- "${GATE_WITH[@]}"
[ "$CODE" = 0 ] || fail "the CA at /etc/ssl/certs/ca-certificates.crt must be trusted, got $CODE$(explain)"
[ "$(wc -l <"$API_LOG")" -gt "$requests_before" ] || fail "no request reached the stand-in"
say "trust OK: the image's bundle is what the binary reads; the test CA only through SSL_CERT_FILE or that path"

say "all container checks passed in ${SECONDS}s; image $IMAGE is $size bytes ($(awk "BEGIN{printf \"%.1f\", $size/1000000}") MB)"
