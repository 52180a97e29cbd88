# Shell functions shared by scripts that run jobs on a throw-away Spark
# standalone cluster on 127.0.0.1 (generate-history.sh, generate-eval.sh).
# Source it; it defines functions only. Callers set LOG_PREFIX, and for
# start_standalone_cluster: SPARK_HOME, WORK, MASTER_HOST, MASTER_PORT,
# MASTER_UI_PORT, WORKER_UI_PORT, WORKER_CORES, WORKER_MEMORY. It sets
# MASTER_PID, WORKER_PID and MASTER_URL. Callers stop the daemons with
# stop_pid in their EXIT trap. start_standalone_workers N adds N more workers
# (each WORKER_CORES and WORKER_MEMORY, own web UI port and work dir) and sets
# EXTRA_WORKER_PIDS; stop them with stop_pids.

log() { echo "[${LOG_PREFIX:-spark}] $*" >&2; }

# stop_pid PID NAME: TERM, wait up to 30 s, then KILL.
stop_pid() {
  local pid="$1" name="$2"
  [[ -n "${pid}" ]] || return 0
  kill -0 "${pid}" 2>/dev/null || return 0
  log "stopping ${name} (pid ${pid})"
  kill "${pid}" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "${pid}" 2>/dev/null || return 0
    sleep 1
  done
  kill -9 "${pid}" 2>/dev/null || true
}

# enter_priority_session SCRIPT ARGS...: runs the calling script at nice EVAL_NICE (0: do nothing;
# negative values need root). With CFS autogroups (kernel.sched_autogroup_enabled=1) nice only ranks
# processes inside one session, so the script first re-executes itself (SCRIPT ARGS, pass "$0" "$@"
# before parsing arguments) in a session of its own and gives that autogroup the same nice. Children
# (master, workers, executors, driver) inherit both.
enter_priority_session() {
  [[ "${EVAL_NICE:-0}" != 0 ]] || return 0
  if [[ -w /proc/self/autogroup && -z "${EVAL_SETSID:-}" ]]; then
    EVAL_SETSID=1 exec setsid --wait bash "$@"
  fi
  renice -n "${EVAL_NICE}" -p $$ >/dev/null
  if [[ -w /proc/self/autogroup ]]; then echo "${EVAL_NICE}" >/proc/self/autogroup || true; fi
}

# stop_pids NAME PID...: stop_pid for each PID (e.g. stop_pids worker "${EXTRA_WORKER_PIDS[@]}").
stop_pids() {
  local name="$1" pid
  shift
  for pid in "$@"; do stop_pid "${pid}" "${name}"; done
}

# port_in_use HOST PORT: succeeds when something accepts connections there.
port_in_use() {
  python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
PY
}

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# master_status: prints the number of ALIVE workers, or fails if the master does not answer.
master_status() {
  python3 - "http://${MASTER_HOST}:${MASTER_UI_PORT}/json/" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
    print(json.load(r).get("aliveworkers", 0))
PY
}

# start_standalone_cluster: one Master and one Worker on MASTER_HOST, waits until the worker registered.
start_standalone_cluster() {
  local p i
  for p in "${MASTER_PORT}" "${MASTER_UI_PORT}" "${WORKER_UI_PORT}"; do
    if port_in_use "${MASTER_HOST}" "${p}"; then
      echo "${MASTER_HOST}:${p} is already in use (another Spark master/worker running?)" >&2
      return 1
    fi
  done
  MASTER_URL="spark://${MASTER_HOST}:${MASTER_PORT}"
  export SPARK_LOCAL_IP="${MASTER_HOST}"
  export SPARK_MASTER_HOST="${MASTER_HOST}"
  export SPARK_WORKER_DIR="${WORK}/worker"
  mkdir -p "${SPARK_WORKER_DIR}"

  log "starting master on ${MASTER_URL}"
  "${SPARK_HOME}/bin/spark-class" org.apache.spark.deploy.master.Master \
    --host "${MASTER_HOST}" --port "${MASTER_PORT}" --webui-port "${MASTER_UI_PORT}" \
    >"${WORK}/master.log" 2>&1 &
  MASTER_PID=$!
  for i in $(seq 1 60); do
    if master_status >/dev/null 2>&1; then break; fi
    kill -0 "${MASTER_PID}" 2>/dev/null || { tail -n 30 "${WORK}/master.log" >&2; return 1; }
    [[ "${i}" == 60 ]] && { echo "master did not answer within 60 s" >&2; return 1; }
    sleep 1
  done

  log "starting worker (${WORKER_CORES} cores, ${WORKER_MEMORY})"
  "${SPARK_HOME}/bin/spark-class" org.apache.spark.deploy.worker.Worker \
    --host "${MASTER_HOST}" --webui-port "${WORKER_UI_PORT}" \
    --cores "${WORKER_CORES}" --memory "${WORKER_MEMORY}" "${MASTER_URL}" \
    >"${WORK}/worker.log" 2>&1 &
  WORKER_PID=$!
  for i in $(seq 1 60); do
    if [[ "$(master_status 2>/dev/null || echo 0)" -ge 1 ]]; then break; fi
    kill -0 "${WORKER_PID}" 2>/dev/null || { tail -n 30 "${WORK}/worker.log" >&2; return 1; }
    [[ "${i}" == 60 ]] && { echo "worker did not register within 60 s" >&2; return 1; }
    sleep 1
  done
  log "cluster up: 1 worker registered"
}

# start_standalone_workers N: N more workers registered with the running master (after
# start_standalone_cluster), each offering WORKER_CORES and WORKER_MEMORY, with its own free
# web UI port and work dir under WORK; waits until all 1 + N workers are ALIVE.
EXTRA_WORKER_PIDS=()
start_standalone_workers() {
  local n="$1" k i port
  for k in $(seq 2 $((n + 1))); do
    port="$(free_port)"
    mkdir -p "${WORK}/worker${k}"
    log "starting worker ${k} (${WORKER_CORES} cores, ${WORKER_MEMORY})"
    "${SPARK_HOME}/bin/spark-class" org.apache.spark.deploy.worker.Worker \
      --host "${MASTER_HOST}" --webui-port "${port}" --work-dir "${WORK}/worker${k}" \
      --cores "${WORKER_CORES}" --memory "${WORKER_MEMORY}" "${MASTER_URL}" \
      >"${WORK}/worker${k}.log" 2>&1 &
    EXTRA_WORKER_PIDS+=("$!")
  done
  for i in $(seq 1 90); do
    if [[ "$(master_status 2>/dev/null || echo 0)" -ge $((n + 1)) ]]; then break; fi
    [[ "${i}" == 90 ]] && { echo "$((n + 1)) workers did not register within 90 s" >&2; return 1; }
    sleep 1
  done
  log "cluster up: $((n + 1)) workers registered"
}
