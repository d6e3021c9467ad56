# Shared by run-fuzz.sh (CI's short runs) and campaign.sh (long runs): a target's seeds and flags.

# fuzz_seed SEEDS DIR: copies a seed corpus (corpus/NAME) into DIR; binary seeds are
# generated (SEEDS/make-seeds.sh) rather than committed.
fuzz_seed() {
    mkdir -p "$2"
    [ -d "$1" ] || return 0
    cp -rL "$1"/. "$2/"
    if [ -x "$2/make-seeds.sh" ]; then
        "$2/make-seeds.sh" "$2"
        rm -f "$2/make-seeds.sh"
    fi
}

# fuzz_flags NAME: fills the array flags with NAME's dictionary (NAME.dict) and options
# (NAME.options, one flag a line), when it has them.
fuzz_flags() {
    local here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    flags=()
    if [ -f "$here/$1.dict" ]; then
        flags+=(-dict="$here/$1.dict")
    fi
    if [ -f "$here/$1.options" ]; then
        mapfile -t -O "${#flags[@]}" flags < <(grep -v -e '^#' -e '^$' "$here/$1.options")
    fi
}
