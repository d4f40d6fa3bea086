#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for CI to run a sweep through a real scheduler.
#   .ci/slurm.sh up     install slurm-wlm and munge if missing (needs root), write /etc/slurm/slurm.conf, start munged,
#                       slurmctld and slurmd by hand (no systemd), and wait until the node accepts jobs (~6 s)
#   .ci/slurm.sh down   stop the daemons `up` started
# The settings and why (shared/docs/SLURM.md has the measurements): batch_sched_delay=0 (else new array tasks start
# only every 3 s), kill_invalid_depend (else a job with a dead dependency pends for ever; in 22.05 it belongs in
# DependencyParameters), EnforcePartLimits=ALL (an impossible request fails at submit instead of pending for ever),
# the node line from `slurmd -C` (else RealMemory is 1 MB and every --mem is refused), CR_CPU, MinJobAge=3600 (finished
# tasks stay in squeue; there is no accounting, so no sacct), proctrack/pgid (no cgroups in CI containers). Waiting
# for the node to be idle before the first submit avoids a job held back right after the controller starts.
set -euo pipefail

state=${STARGAN_SLURM_STATE:-/var/tmp/stargan-ci-slurm}
conf=/etc/slurm/slurm.conf
marker="# written by StarGanLab .ci/slurm.sh"

die() { echo "slurm.sh: $*" >&2; exit 1; }

# wait_for SECONDS COMMAND...: retries COMMAND every 0.2 s; false if it never succeeded.
wait_for() {
  local limit=$1; shift
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.2
  done
}

munge_works() { munge -n | unmunge; }
node_idle() { [ "$(sinfo -h -o %t 2>/dev/null | head -1)" = idle ]; }

up() {
  local t0=$SECONDS
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    [ "$(id -u)" -eq 0 ] || die "slurm-wlm and munge are not installed, and installing them needs root"
    echo "slurm.sh: installing slurm-wlm and munge"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
  fi
  [ "$(id -u)" -eq 0 ] || die "starting munged, slurmctld and slurmd needs root"
  if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then
    die "$conf exists and was not written by this script; not replacing a real cluster's configuration"
  fi
  if [ -f "$state/slurmctld.pid" ] && alive "$(cat "$state/slurmctld.pid")" slurmctld; then
    die "a cluster from an earlier 'up' is still running; run '$0 down' first"
  fi
  rm -rf "$state"
  mkdir -p "$state/ctld" "$state/d"

  # munge: nothing creates /run/munge without systemd; the package's postinst made the key.
  if ! munge_works >/dev/null 2>&1; then
    install -d -o munge -g munge -m 0755 /run/munge
    [ -f /etc/munge/munge.key ] || { mungekey --create >/dev/null && chown munge:munge /etc/munge/munge.key; }
    runuser -u munge -- /usr/sbin/munged
    cp /run/munge/munged.pid "$state/munged.pid"   # ours to stop in 'down'
    wait_for 10 munge_works || die "munged started but 'munge -n | unmunge' still fails"
  fi

  local host node
  host=$(hostname -s)
  node=$(slurmd -C | head -1)
  case "$node" in NodeName=*) ;; *) die "slurmd -C printed '$node', not a node line" ;; esac
  cat > "$conf" <<EOF
$marker: a one-node cluster for CI; '.ci/slurm.sh down' stops it.
ClusterName=stargan-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
DependencyParameters=kill_invalid_depend
EnforcePartLimits=ALL
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MinJobAge=3600
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=ci Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  slurmctld
  slurmd
  wait_for 30 node_idle || { tail -5 "$state/slurmctld.log" "$state/slurmd.log" >&2; die "the node did not become idle within 30 s"; }
  echo "slurm.sh: one-node cluster up in $((SECONDS - t0)) s ($(sinfo -h -o '%P %D %c CPUs %t'))"
}

# alive PID NAME: the process exists, is not a zombie, and is NAME (a stale pid file may point at another process).
alive() {
  local pid=$1 name=$2
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
  # field 3 of /proc/PID/stat is the state; the command name in field 2 is in parentheses and may hold spaces
  local stat
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

stop() {
  local pidfile=$1 name=$2 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if alive "$pid" "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    # zombies count as stopped: on some VMs PID 1 reaps them only ~1.5 s late
    local end=$((SECONDS + 15))
    while alive "$pid" "$name" && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
    if alive "$pid" "$name"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$pidfile"
}

down() {
  stop "$state/slurmd.pid" slurmd
  stop "$state/slurmctld.pid" slurmctld
  stop "$state/munged.pid" munged
  if [ -f "$conf" ] && grep -qF "$marker" "$conf"; then rm -f "$conf"; fi
  echo "slurm.sh: cluster stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) die "usage: $0 up|down" ;;
esac
