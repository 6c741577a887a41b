# Sourced by the other scripts: makes sure setup ran, then loads its toolchain choice, so one
# compiler builds everything and nothing is rebuilt for switching between two.
# AISLE_TOOLCHAIN=rustup|debian loads that route instead (scripts/compare-routes.sh).
aisle_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
aisle_env="$aisle_root/.cache/toolchain${AISLE_TOOLCHAIN:+-$AISLE_TOOLCHAIN}.env"
[ -f "$aisle_env" ] || bash "$aisle_root/scripts/setup.sh"
# shellcheck disable=SC1090
source "$aisle_env"
