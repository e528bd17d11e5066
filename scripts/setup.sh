#!/usr/bin/env bash
# Installs what OptiInfra runs on, idempotently: npm packages, nats-server 2.10 (Debian 13
# package unpacked into .infra/), Prometheus 2.53 (same), the ClickHouse launcher over the
# pinned chdb library, PostgreSQL 15 and pgvector 0.8. Called by `npm start`, `npm test` and .ci/run.
# See shared/INFRA.md for why each piece comes from where it does.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INFRA="$ROOT/.infra"
NATS_WANT="2.10."
CH_WANT="26.7."
PGVECTOR_WANT="0.8."
PG_MAJOR=15

say() { printf '[setup] %s\n' "$*" >&2; }
die() {
  printf '[setup] ERROR: %s\n' "$1" >&2
  [ $# -gt 1 ] && printf '[setup] next step: %s\n' "$2" >&2
  exit 1
}

need_root() {
  [ "$(id -u)" = 0 ] || die "$1 needs root (apt-get / make install into the system)" \
    "run as root once, or install it yourself: $2"
}

# --- node and npm packages ---------------------------------------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) ||
  die "node not found" "install Node.js 20.19+ (https://nodejs.org)"
[ "$node_major" -ge 20 ] || die "Node $node_major is too old" "install Node.js 20.19 or newer"

stamp="$ROOT/node_modules/.optiinfra-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/package-lock.json" "$stamp"; then
  # npm install, not npm ci: chdb lists optional platform packages the registry does not
  # serve, which npm ci reports as a lock mismatch; install still follows the lock file.
  say "installing npm packages"
  (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed" "check network access to the npm registry"
  cp "$ROOT/package-lock.json" "$stamp"
fi

# --- private apt state for Debian 13 (trixie) packages ------------------------------------
APT_DIR="$INFRA/apt"
apt_trixie() {
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
  : >"$APT_DIR/empty.list"
  : >"$APT_DIR/empty-status"
  if [ ! -s "$APT_DIR/trixie.sources" ]; then
    local sp
    eval "$(apt-config shell sp Dir::Etc::sourceparts/d)"
    [ -f "$sp/debian.sources" ] || die "no $sp/debian.sources to derive a trixie source from" \
      "add a deb822 Debian source, or put nats-server 2.10 at $INFRA/nats/usr/sbin/nats-server"
    awk 'NF==0{exit} /^#/{next} {print}' "$sp/debian.sources" |
      sed -e 's/^Types:.*/Types: deb deb-src/' -e 's/^Suites:.*/Suites: trixie/' >"$APT_DIR/trixie.sources"
  fi
  local lists_age=99999
  if compgen -G "$APT_DIR/lists/*Sources*" >/dev/null; then
    lists_age=$(($(date +%s) - $(stat -c %Y "$APT_DIR/lists/partial")))
  fi
  local opts=(-o "Dir::Etc::sourcelist=$APT_DIR/empty.list" -o "Dir::Etc::sourceparts=$APT_DIR"
    -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::Cache=$APT_DIR/cache"
    -o "Dir::State::status=$APT_DIR/empty-status" -o "APT::Sandbox::User=root" -qq)
  if [ "$lists_age" -gt 86400 ]; then
    say "refreshing the Debian 13 package index (private apt state in .infra/apt)"
    apt-get "${opts[@]}" update >/dev/null || die "apt-get update for trixie failed" "check access to deb.debian.org"
    touch "$APT_DIR/lists/partial"
  fi
  (cd "$APT_DIR" && apt-get "${opts[@]}" "$@")
}

# --- nats-server 2.10 ----------------------------------------------------------------------
NATS_BIN="$INFRA/nats/usr/sbin/nats-server"
nats_version() { "$NATS_BIN" --version 2>/dev/null | sed -E 's/.*v([0-9.]+).*/\1/'; }
if [ ! -x "$NATS_BIN" ] || [[ "$(nats_version)" != $NATS_WANT* ]]; then
  say "fetching nats-server 2.10 from Debian 13"
  rm -rf "$INFRA/nats" && mkdir -p "$INFRA/nats"
  apt_trixie download nats-server || die "could not download nats-server from trixie" "check access to deb.debian.org"
  dpkg-deb -x "$APT_DIR"/nats-server_*.deb "$INFRA/nats"
  rm -f "$APT_DIR"/nats-server_*.deb
fi
v=$(nats_version)
[[ "$v" == $NATS_WANT* ]] || die "nats-server is $v, OptiInfra needs 2.10.x" "rm -rf .infra/nats and rerun npm run setup"

# --- Prometheus 2.53 (tests of the edge's Prometheus-API source) --------------------------
# Debian 13's package through the private apt state above, so no root: a Go binary linked only
# against libc. Debian 12 has 2.42, but fetching it needs the system's apt lists (root on a bare
# machine); the HTTP API the edge reads is the same in both.
PROM_WANT="2.53."
PROM_BIN="$INFRA/prometheus/usr/bin/prometheus"
prom_version() { "$PROM_BIN" --version 2>/dev/null | sed -nE '1s/^prometheus, version ([0-9.]+).*/\1/p'; }
if [ ! -x "$PROM_BIN" ] || [[ "$(prom_version)" != $PROM_WANT* ]]; then
  say "fetching Prometheus 2.53 from Debian 13"
  rm -rf "$INFRA/prometheus" && mkdir -p "$INFRA/prometheus"
  apt_trixie download prometheus || die "could not download prometheus from trixie" "check access to deb.debian.org"
  dpkg-deb -x "$APT_DIR"/prometheus_*.deb "$INFRA/prometheus"
  rm -f "$APT_DIR"/prometheus_*.deb
fi
pv=$(prom_version)
[[ "$pv" == $PROM_WANT* ]] || die "prometheus is ${pv:-not runnable}, OptiInfra's tests need 2.53.x" "rm -rf .infra/prometheus and rerun npm run setup"

# --- ClickHouse 26.7 through libchdb -------------------------------------------------------
CHDB_LIB="$ROOT/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so"
CHDB_BIN="$INFRA/bin/chdb-server"
[ -f "$CHDB_LIB" ] || die "libchdb.so missing at $CHDB_LIB" "run npm ci (the pinned @chdb/lib-linux-x64-gnu ships it)"
if [ ! -x "$CHDB_BIN" ] || [ "$ROOT/testkit/native/chdb-server.c" -nt "$CHDB_BIN" ]; then
  command -v cc >/dev/null || die "no C compiler to build the ClickHouse launcher" "apt-get install gcc"
  mkdir -p "$INFRA/bin"
  cc -O2 -o "$CHDB_BIN" "$ROOT/testkit/native/chdb-server.c" -ldl
fi
ch_ver=$(node -p "require('$ROOT/node_modules/@chdb/lib-linux-x64-gnu/package.json').version")
[[ "$ch_ver" == $CH_WANT* ]] || die "libchdb is ClickHouse $ch_ver, OptiInfra needs 26.7" "npm ci with the committed package-lock.json"

# --- PostgreSQL 15 + pgvector 0.8 ----------------------------------------------------------
pg_bindir() { dpkg -L "postgresql-$PG_MAJOR" 2>/dev/null | grep '/bin/initdb$' | xargs -r dirname; }
PGBIN=$(pg_bindir || true)
if [ -z "$PGBIN" ]; then
  need_root "PostgreSQL $PG_MAJOR" "apt-get install postgresql-$PG_MAJOR"
  say "installing postgresql-$PG_MAJOR"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$PG_MAJOR" >/dev/null ||
    die "apt-get install postgresql-$PG_MAJOR failed" "apt-get update, then retry"
  PGBIN=$(pg_bindir)
fi
pg_ver=$("$PGBIN/postgres" --version | awk '{print $3}')
[[ "$pg_ver" == $PG_MAJOR.* ]] || die "postgres is $pg_ver, OptiInfra needs $PG_MAJOR" "apt-get install postgresql-$PG_MAJOR"

PG_SHARE=$("$PGBIN/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$PG_MAJOR")
vector_version() { sed -nE "s/^default_version *= *'([^']+)'.*/\1/p" "$PG_SHARE/extension/vector.control" 2>/dev/null; }
if [[ "$(vector_version)" != $PGVECTOR_WANT* ]]; then
  need_root "pgvector" "apt-get install postgresql-server-dev-$PG_MAJOR, then build pgvector 0.8 from source"
  if [ ! -x "$PGBIN/pg_config" ] || ! dpkg -s "postgresql-server-dev-$PG_MAJOR" >/dev/null 2>&1; then
    say "installing postgresql-server-dev-$PG_MAJOR (headers to build pgvector)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-server-dev-$PG_MAJOR" >/dev/null ||
      die "apt-get install postgresql-server-dev-$PG_MAJOR failed" "apt-get update, then retry"
  fi
  say "building pgvector from Debian 13's source (~30 s)"
  src="$INFRA/pgvector-src"
  rm -rf "$src" && mkdir -p "$src"
  (cd "$src" && apt_trixie source --download-only pgvector) ||
    die "could not download pgvector source" "check access to deb.debian.org"
  mv "$APT_DIR"/pgvector_* "$src"/ 2>/dev/null || true
  tar -xf "$(ls "$src"/pgvector_*.orig.tar.* | head -1)" -C "$src"
  dir=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-[0-9]*' | head -1)
  make -s -C "$dir" PG_CONFIG="$PGBIN/pg_config" >"$INFRA/pgvector-build.log" 2>&1 || die "pgvector build failed" "read $INFRA/pgvector-build.log"
  make -s -C "$dir" PG_CONFIG="$PGBIN/pg_config" install >/dev/null || die "pgvector install failed" "see make -C $dir install"
  rm -rf "$src"
fi
vv=$(vector_version)
[[ "$vv" == $PGVECTOR_WANT* ]] || die "pgvector is ${vv:-missing}, OptiInfra needs 0.8.x" "rerun as root: npm run setup"

# runuser needs a user postgres for initdb (it refuses root)
id postgres >/dev/null 2>&1 || die "no user postgres" "apt-get install postgresql-$PG_MAJOR creates it"

# --- a font for the dashboards' and the scorecard's PNG charts (text needs one) ----------
if ! ls /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null ||
      say "warning: fonts-dejavu-core did not install; PNG charts will use whatever font the system has"
  else
    say "warning: no DejaVu font; run 'apt-get install fonts-dejavu-core' as root for readable PNG charts"
  fi
fi

cat >"$INFRA/versions.env" <<ENV
OI_NATS_SERVER=$NATS_BIN
OI_NATS_VERSION=$v
OI_CHDB_SERVER=$CHDB_BIN
OI_CHDB_LIB=$CHDB_LIB
OI_CLICKHOUSE_VERSION=$ch_ver
OI_PG_BIN=$PGBIN
OI_PG_VERSION=$pg_ver
OI_PGVECTOR_VERSION=$vv
OI_PROMETHEUS=$PROM_BIN
OI_PROMETHEUS_VERSION=$pv
ENV
say "ready: nats-server $v, ClickHouse $ch_ver, PostgreSQL $pg_ver, pgvector $vv, Prometheus $pv"
