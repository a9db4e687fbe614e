# bash completion for fdscope(1): commands, options, and option values
# (-t kinds, -o columns, --backend, --sort, ...). Installed as
# share/bash-completion/completions/fdscope.
#
# Every word comes from the fdscope being completed (`fdscope
# --completion-words ...`, src/cli/completion.hpp), never from a list kept
# here, so a new option, kind or column is completed as soon as it is built.

_fdscope() {
    # $1: the command as typed (fdscope, ./build/fdscope, /usr/bin/fdscope):
    # ask that binary, so a build tree completes its own options.
    local prog=$1 cur=${COMP_WORDS[COMP_CWORD]} prev="" cmd="" commands word i
    COMPREPLY=()
    commands=$("$prog" --completion-words commands 2>/dev/null) || return 0

    # The command is the first word that names one: no option of the root
    # takes a value that could (--top N, --backend B, --threads N).
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ $'\n'$commands$'\n' == *$'\n'"$word"$'\n'* ]]; then
            cmd=$word
            break
        fi
    done

    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # COMP_WORDBREAKS splits --type=file into "--type" "=" "file".
    if [[ $cur == "=" ]]; then
        cur=""
    elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi

    local values
    if [[ $prev == -* && $cur != -* ]] &&
        values=$("$prog" --completion-words values "$cmd" "$prev" 2>/dev/null); then
        if [[ -n $values ]]; then
            # Lists are comma separated (-t file,dir): complete the last item.
            local head="" item=$cur
            if [[ $cur == *,* ]]; then
                head=${cur%,*},
                item=${cur##*,}
            fi
            mapfile -t COMPREPLY < <(compgen -P "$head" -W "$values" -- "$item")
        else  # a free value (a pid, a regex, a file): offer files, as bash would
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        fi
        return 0
    fi

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$("$prog" --completion-words options "$cmd" 2>/dev/null)" -- "$cur")
    elif [[ -z $cmd ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
    else  # plot's FILE
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
    return 0
}
complete -F _fdscope fdscope
