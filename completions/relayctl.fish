# fish completion for relayctl(8)
# Commands and options mirror `relayctl help --json`; a test keeps them equal.

set -l commands help version

complete -c relayctl -f
complete -c relayctl -n "not __fish_seen_subcommand_from $commands" -s V -l version -d 'print the version and exit'
complete -c relayctl -n "not __fish_seen_subcommand_from $commands" -s h -l help -d 'show the usage and the commands'

complete -c relayctl -n "not __fish_seen_subcommand_from $commands" -a help -d 'show the commands, or the help of one command'
complete -c relayctl -n "not __fish_seen_subcommand_from $commands" -a version -d 'print the version of relayctl'

complete -c relayctl -n "__fish_seen_subcommand_from help" -l json -d 'print the commands and their options as JSON'
complete -c relayctl -n "__fish_seen_subcommand_from help" -a "$commands"
complete -c relayctl -n "__fish_seen_subcommand_from version" -l json -d 'print the versions as JSON'
complete -c relayctl -n "__fish_seen_subcommand_from $commands" -s h -l help -d 'show this help'
