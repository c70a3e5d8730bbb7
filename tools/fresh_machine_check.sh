#!/usr/bin/env bash
# Try the README's two commands as a new user on a machine without database servers:
# a fresh non-root account, a fresh clone of this checkout's HEAD, run inside a network
# namespace whose loopback has no MySQL and no PostgreSQL (PyPI reached through a CONNECT
# proxy on the host side). Needs root and iproute2. Not part of CI (it needs the network
# to build the environment); run it before saying the two commands work.
#   tools/fresh_machine_check.sh            # the demo, then the tests
#   FRESH_USER=someone tools/fresh_machine_check.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
user="${FRESH_USER:-djnewuser}"
ns=djfresh
proxy_port=3128

id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
if ! ip netns list | grep -qw "$ns"; then
    ip netns add "$ns"
    ip link add djfresh-h type veth peer name djfresh-n
    ip link set djfresh-n netns "$ns"
    ip addr add 10.78.0.1/24 dev djfresh-h
    ip link set djfresh-h up
    ip netns exec "$ns" ip addr add 10.78.0.2/24 dev djfresh-n
    ip netns exec "$ns" ip link set djfresh-n up
    ip netns exec "$ns" ip link set lo up
fi
python3 "$repo/tools/connect_proxy.py" 10.78.0.1 "$proxy_port" &
proxy=$!
trap 'kill $proxy' EXIT

source=$(mktemp -d)
git clone -q "$repo" "$source/datajoint"
chown -R "$user": "$source"
home=$(getent passwd "$user" | cut -d: -f6)
rm -rf "$home/datajoint"
su - "$user" -c "git clone -q '$source/datajoint' ~/datajoint"
rm -rf "$source"

proxy_env="export https_proxy=http://10.78.0.1:$proxy_port HTTPS_PROXY=http://10.78.0.1:$proxy_port"
# Debian's (and Ubuntu's, Homebrew's) Python refuses `pip install` outside a virtual
# environment; the README says to make one, as a new user does
ip netns exec "$ns" su - "$user" -c "$proxy_env; set -e; cd ~/datajoint
    python3 -m venv ~/.venvs/datajoint && . ~/.venvs/datajoint/bin/activate
    python3 -m pip install -q 'hatch>=1.18' && hatch run demo
    python3 -m pip install -q 'hatch>=1.18' && hatch run test"
