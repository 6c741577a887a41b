# Sourced by the other scripts: makes sure setup ran, then loads its toolchain choice, so one
# compiler builds everything and nothing is rebuilt for switching between two.
aisle_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -f "$aisle_root/.cache/toolchain.env" ] || bash "$aisle_root/scripts/setup.sh"
# shellcheck disable=SC1091
source "$aisle_root/.cache/toolchain.env"
