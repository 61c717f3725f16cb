# bash completion for pathgrad(1)                     -*- shell-script -*-
#
# Installed as share/bash-completion/completions/pathgrad (loaded on demand
# by the bash-completion package), or sourced directly from ~/.bashrc:
#     . /usr/local/share/bash-completion/completions/pathgrad
# It needs nothing from the bash-completion package.
# shellcheck disable=SC2207  # COMPREPLY=($(compgen ...)): the usual idiom, words without blanks

# the FILE argument of the command line being completed (the first word
# after the subcommand that is neither an option nor an option's value)
_pathgrad_file()
{
    local i w
    for ((i = 2; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
            --of | --wrt | --node | --block | -o | --output | --stage | --format | \
                --values | --seed | --view | --rankdir | --term | --max-terms | --env | \
                --latex-names | --notation | --init | --katex | --width)
                ((i++)) ;;
            -?*) ;;
            *) printf '%s\n' "$w"; return 0 ;;
        esac
    done
    return 1
}

# complete files: names ending in .net (any file when $1 is "all") and
# directories
_pathgrad_files()
{
    local cur=$2 IFS=$'\n'
    compopt -o filenames 2>/dev/null
    if [ "$1" = all ]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    else
        COMPREPLY=($(compgen -f -X '!*.net' -- "$cur") $(compgen -d -- "$cur"))
    fi
}

_pathgrad()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    local commands="derive expand count check eval paths vanish render slides fmt report help"
    COMPREPLY=()

    if ((COMP_CWORD == 1)); then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "-h --help --version" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return 0
    fi
    local cmd=${COMP_WORDS[1]}

    # the value of an option
    case $prev in
        --stage)
            COMPREPLY=($(compgen -W "chain act local forward factored" -- "$cur"))
            return 0 ;;
        --format)
            local formats="latex text json"
            case $cmd in
                render) formats="svg dot tikz" ;;
                vanish) formats="text json svg" ;;
                eval | paths) formats="text json" ;;
            esac
            COMPREPLY=($(compgen -W "$formats" -- "$cur"))
            return 0 ;;
        --view)
            COMPREPLY=($(compgen -W "graph network" -- "$cur"))
            return 0 ;;
        --rankdir)
            COMPREPLY=($(compgen -W "LR TB" -- "$cur"))
            return 0 ;;
        --latex-names)
            COMPREPLY=($(compgen -W "textbook plain mathit mathrm" -- "$cur"))
            return 0 ;;
        --width)
            COMPREPLY=($(compgen -W "none 483.7pt 345pt 240pt" -- "$cur"))
            return 0 ;;
        --init)
            COMPREPLY=($(compgen -W "glorot he lecun standard normal: uniform:" -- "$cur"))
            [ "${#COMPREPLY[@]}" = 1 ] && [ "${COMPREPLY[0]%:}" != "${COMPREPLY[0]}" ] && compopt -o nospace 2>/dev/null
            return 0 ;;
        --notation)
            # one word or two joined by a comma, at most one of each pair:
            # xy | za (the letters), out | into (the weight indices)
            local notes="xy za out into xy,out xy,into za,out za,into"
            case $cur in
                out,* | into,*) notes="${cur%%,*},xy ${cur%%,*},za" ;;
            esac
            COMPREPLY=($(compgen -W "$notes" -- "$cur"))
            return 0 ;;
        --katex)
            COMPREPLY=($(compgen -d -- "$cur"))
            return 0 ;;
        --env)
            # the starred environments are quoted: a bare * would glob
            local e
            for e in equation 'equation*' align 'align*' multline 'multline*' bare; do
                [[ $e == "$cur"* || "$e" == "${cur//\\/}"* ]] && COMPREPLY+=("${e//\*/\\*}")
            done
            return 0 ;;
        -o | --output | --values)
            _pathgrad_files all "$cur"
            return 0 ;;
        --block)
            # the blocks of FILE, read from it
            local file
            file=$(_pathgrad_file) || return 0
            [ -r "$file" ] || return 0
            COMPREPLY=($(compgen -W "$(sed -n 's/^[[:space:]]*\(network\|graph\)[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\).*/\2/p' "$file" 2>/dev/null)" -- "$cur"))
            return 0 ;;
        --of | --wrt | --node | --seed | --term | --max-terms)
            return 0 ;;
    esac

    local opts
    case $cmd in
        derive) opts="--of --wrt --block --stage --format --max-terms --collapse --standalone --env --width --latex-names --notation -o" ;;
        expand) opts="--node --block --format --standalone --env --width --latex-names --notation -o" ;;
        count) opts="--of --wrt --block -o" ;;
        check) opts="-o" ;;
        eval) opts="--values --seed --init --of --block --check --format -o" ;;
        paths) opts="--of --wrt --block --values --seed --init --format -o" ;;
        vanish) opts="--of --seed --init --values --block --format -o" ;;
        render) opts="--of --wrt --node --block --stage --view --format --notation --rankdir --term --colors --only-paths --no-labels --no-paths --values --seed --init --standalone -o" ;;
        fmt) opts="--check --in-place -o" ;;
        report) opts="--block --values --seed --init --katex -o" ;;
        slides) opts="--of --wrt --block --stage -o" ;;
        help)
            # pathgrad help COMMAND
            ((COMP_CWORD == 2)) && COMPREPLY=($(compgen -W "${commands% help}" -- "$cur"))
            return 0 ;;
        *) return 0 ;;
    esac

    # one FILE per command: .net files until it is given, then options
    if [[ $cur == -* ]] || _pathgrad_file >/dev/null; then
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
    else
        _pathgrad_files net "$cur"
    fi
    return 0
}

complete -F _pathgrad pathgrad
