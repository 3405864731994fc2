# bash completion for the kafka-ts-toolkit commands.
# Generated from the option descriptors by `kafka-topics --completion bash`; do not edit.
# Use: source this file (or copy it to /etc/bash_completion.d/).
# Names from the broker via our own tool ($1): the broker the line names (--bootstrap-server, else
# --broker-list, else localhost:9092), with the line's client config file (--command-config,
# --producer.config or --consumer.config) for a secured broker. bash splits host:port and
# --name=value at COMP_WORDBREAKS, so the pieces are glued back first. The tool is the one next to
# the command being completed when that was typed with a path; silent when the broker is away.
_kafka_ts_names() {
  local tool="$1" i w want="" server="" list="" config=""
  [[ "${COMP_WORDS[0]}" == */* ]] && tool="${COMP_WORDS[0]%/*}/$1"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    while (( i + 1 < COMP_CWORD )) && [[ "${COMP_WORDS[i+1]}" == [:=]* || "$w" == *[:=] ]]; do
      i=$((i + 1)); w="$w${COMP_WORDS[i]}"
    done
    case "$want" in server) server="$w" ;; list) list="$w" ;; config) config="$w" ;; esac
    want=""
    case "$w" in
      --bootstrap-server) want=server ;;
      --broker-list) want=list ;;
      --command-config|--producer.config|--consumer.config) want=config ;;
      --bootstrap-server=*) server="${w#*=}" ;;
      --broker-list=*) list="${w#*=}" ;;
      --command-config=*|--producer.config=*|--consumer.config=*) config="${w#*=}" ;;
    esac
  done
  local -a args=(--bootstrap-server "${server:-${list:-localhost:9092}}" --list)
  [[ -n "$config" ]] && args+=(--command-config "${config/#\~/$HOME}")
  local out
  command -v timeout >/dev/null 2>&1 && args=("${KAFKA_TS_COMPLETION_TIMEOUT:-3}" "$tool" "${args[@]}") && tool=timeout
  # only a successful listing: a failing tool may print its error line on stdout, as Kafka's do
  out="$("$tool" "${args[@]}" 2>/dev/null </dev/null)" && printf '%s\n' "$out"
}
_kafka_server_start() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --override) COMPREPLY=(); return 0 ;;
  esac
  if [[ "$cur" != -* ]]; then COMPREPLY=( $(compgen -f -- "$cur") ); return 0; fi
  COMPREPLY=( $(compgen -W "--override --daemon --help --version" -- "$cur") )
}
complete -F _kafka_server_start kafka-server-start kafka-server-start.sh
_kafka_server_stop() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --node-id) COMPREPLY=(); return 0 ;;
    --process-role) COMPREPLY=( $(compgen -W "broker controller broker,controller" -- "$cur") ); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--node-id --process-role --help --version" -- "$cur") )
}
complete -F _kafka_server_stop kafka-server-stop kafka-server-stop.sh
_kafka_topics() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --command-config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") ); return 0 ;;
    --partitions) COMPREPLY=(); return 0 ;;
    --replication-factor) COMPREPLY=(); return 0 ;;
    --config) COMPREPLY=(); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --command-config --list --create --describe --alter --delete --topic --partitions --replication-factor --config --if-exists --if-not-exists --exclude-internal --under-replicated-partitions --unavailable-partitions --under-min-isr-partitions --at-min-isr-partitions --help --version" -- "$cur") )
}
complete -F _kafka_topics kafka-topics kafka-topics.sh
_kafka_console_producer() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --broker-list) COMPREPLY=(); return 0 ;;
    --topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") ); return 0 ;;
    --batch-size) COMPREPLY=(); return 0 ;;
    --message-send-max-retries) COMPREPLY=(); return 0 ;;
    --retry-backoff-ms) COMPREPLY=(); return 0 ;;
    --timeout) COMPREPLY=(); return 0 ;;
    --request-required-acks) COMPREPLY=( $(compgen -W "-1 all 0 1" -- "$cur") ); return 0 ;;
    --request-timeout-ms) COMPREPLY=(); return 0 ;;
    --max-partition-memory-bytes) COMPREPLY=(); return 0 ;;
    --property) COMPREPLY=( $(compgen -W "parse.key=true key.separator= parse.headers=true headers.delimiter= headers.separator= headers.key.separator= null.marker= ignore.error=true" -- "$cur") ); return 0 ;;
    --reader-config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --producer-property) COMPREPLY=( $(compgen -W "acks= linger.ms= batch.size= compression.type= client.id= request.timeout.ms=" -- "$cur") ); return 0 ;;
    --producer.config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --broker-list --topic --sync --compression-codec --batch-size --message-send-max-retries --retry-backoff-ms --timeout --request-required-acks --request-timeout-ms --max-partition-memory-bytes --property --reader-config --producer-property --producer.config --help --version" -- "$cur") )
}
complete -F _kafka_console_producer kafka-console-producer kafka-console-producer.sh
_kafka_console_consumer() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") ); return 0 ;;
    --include) COMPREPLY=(); return 0 ;;
    --whitelist) COMPREPLY=(); return 0 ;;
    --partition) COMPREPLY=(); return 0 ;;
    --offset) COMPREPLY=( $(compgen -W "earliest latest" -- "$cur") ); return 0 ;;
    --group) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-consumer-groups)" -- "$cur") ); return 0 ;;
    --consumer-property) COMPREPLY=( $(compgen -W "group.id= auto.offset.reset= enable.auto.commit= client.id= isolation.level=" -- "$cur") ); return 0 ;;
    --consumer.config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --formatter) COMPREPLY=( $(compgen -W "kafka.tools.DefaultMessageFormatter org.apache.kafka.tools.consumer.DefaultMessageFormatter" -- "$cur") ); return 0 ;;
    --formatter-config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --property) COMPREPLY=( $(compgen -W "print.timestamp=true print.key=true print.offset=true print.partition=true print.headers=true print.value=false key.separator= line.separator= headers.separator= null.literal=" -- "$cur") ); return 0 ;;
    --max-messages) COMPREPLY=(); return 0 ;;
    --timeout-ms) COMPREPLY=(); return 0 ;;
    --isolation-level) COMPREPLY=( $(compgen -W "read_uncommitted read_committed" -- "$cur") ); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --topic --include --whitelist --partition --offset --from-beginning --group --consumer-property --consumer.config --formatter --formatter-config --property --max-messages --timeout-ms --skip-message-on-error --isolation-level --help --version" -- "$cur") )
}
complete -F _kafka_console_consumer kafka-console-consumer kafka-console-consumer.sh
_kafka_consumer_groups() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --command-config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --group) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-consumer-groups)" -- "$cur") ); return 0 ;;
    --topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") ); return 0 ;;
    --timeout) COMPREPLY=(); return 0 ;;
    --to-offset) COMPREPLY=(); return 0 ;;
    --from-file) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --to-datetime) COMPREPLY=(); return 0 ;;
    --by-duration) COMPREPLY=(); return 0 ;;
    --shift-by) COMPREPLY=(); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --command-config --list --describe --delete --reset-offsets --delete-offsets --group --all-groups --topic --all-topics --timeout --dry-run --execute --export --to-offset --from-file --to-datetime --by-duration --to-earliest --to-latest --to-current --shift-by --members --verbose --offsets --state --type --help --version" -- "$cur") )
}
complete -F _kafka_consumer_groups kafka-consumer-groups kafka-consumer-groups.sh
_kafka_dump_log() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --files) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --max-bytes) COMPREPLY=(); return 0 ;;
    --max-message-size) COMPREPLY=(); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--files --print-data-log --deep-iteration --offsets-decoder --transaction-log-decoder --cluster-metadata-decoder --skip-record-metadata --max-bytes --max-message-size --index-sanity-check --verify-index-only --key-decoder-class --value-decoder-class --help --version" -- "$cur") )
}
complete -F _kafka_dump_log kafka-dump-log kafka-dump-log.sh
_kafka_configs() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --command-config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --entity-type) COMPREPLY=( $(compgen -W "topics brokers users" -- "$cur") ); return 0 ;;
    --entity-name) COMPREPLY=(); return 0 ;;
    --add-config) COMPREPLY=(); return 0 ;;
    --add-config-file) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --delete-config) COMPREPLY=(); return 0 ;;
    --topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") ); return 0 ;;
    --broker) COMPREPLY=(); return 0 ;;
    --user) COMPREPLY=(); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --command-config --describe --alter --all --entity-type --entity-name --entity-default --add-config --add-config-file --delete-config --force --topic --broker --user --broker-defaults --help --version" -- "$cur") )
}
complete -F _kafka_configs kafka-configs kafka-configs.sh
_kafka_acls() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --allow-host) COMPREPLY=(); return 0 ;;
    --allow-principal) COMPREPLY=(); return 0 ;;
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --command-config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --delegation-token) COMPREPLY=(); return 0 ;;
    --deny-host) COMPREPLY=(); return 0 ;;
    --deny-principal) COMPREPLY=(); return 0 ;;
    --group) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-consumer-groups)" -- "$cur") ); return 0 ;;
    --operation) COMPREPLY=( $(compgen -W "Read Write Create Delete Alter Describe ClusterAction AlterConfigs DescribeConfigs IdempotentWrite All" -- "$cur") ); return 0 ;;
    --principal) COMPREPLY=(); return 0 ;;
    --resource-pattern-type) COMPREPLY=( $(compgen -W "ANY MATCH LITERAL PREFIXED" -- "$cur") ); return 0 ;;
    --topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") ); return 0 ;;
    --transactional-id) COMPREPLY=(); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--add --allow-host --allow-principal --bootstrap-server --cluster --command-config --consumer --delegation-token --deny-host --deny-principal --force --group --idempotent --list --operation --principal --producer --remove --resource-pattern-type --topic --transactional-id --help --version" -- "$cur") )
}
complete -F _kafka_acls kafka-acls kafka-acls.sh
_kafka_get_offsets() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --broker-list) COMPREPLY=(); return 0 ;;
    --topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") ); return 0 ;;
    --partitions) COMPREPLY=(); return 0 ;;
    --time) COMPREPLY=( $(compgen -W "latest earliest max-timestamp earliest-local latest-tiered" -- "$cur") ); return 0 ;;
    --command-config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --broker-list --topic --partitions --time --command-config --exclude-internal-topics --help --version" -- "$cur") )
}
complete -F _kafka_get_offsets kafka-get-offsets kafka-get-offsets.sh
_kafka_broker_api_versions() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --command-config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --command-config --help --version" -- "$cur") )
}
complete -F _kafka_broker_api_versions kafka-broker-api-versions kafka-broker-api-versions.sh
_connect_standalone() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
  esac
  if [[ "$cur" != -* ]]; then COMPREPLY=( $(compgen -f -- "$cur") ); return 0; fi
  COMPREPLY=( $(compgen -W "--help --version" -- "$cur") )
}
complete -F _connect_standalone connect-standalone connect-standalone.sh
_connect_distributed() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
  esac
  if [[ "$cur" != -* ]]; then COMPREPLY=( $(compgen -f -- "$cur") ); return 0; fi
  COMPREPLY=( $(compgen -W "--help --version" -- "$cur") )
}
complete -F _connect_distributed connect-distributed connect-distributed.sh
_kafka_producer_perf_test() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") ); return 0 ;;
    --num-records) COMPREPLY=(); return 0 ;;
    --record-size) COMPREPLY=(); return 0 ;;
    --payload-file) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --payload-delimiter) COMPREPLY=(); return 0 ;;
    --throughput) COMPREPLY=( $(compgen -W "-1" -- "$cur") ); return 0 ;;
    --producer-props) COMPREPLY=( $(compgen -W "bootstrap.servers= acks= linger.ms= batch.size= compression.type= client.id=" -- "$cur") ); return 0 ;;
    --producer.config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --transactional-id) COMPREPLY=(); return 0 ;;
    --transaction-duration-ms) COMPREPLY=(); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--topic --num-records --record-size --payload-file --payload-monotonic --payload-delimiter --throughput --producer-props --producer.config --print-metrics --transactional-id --transaction-duration-ms --help --version" -- "$cur") )
}
complete -F _kafka_producer_perf_test kafka-producer-perf-test kafka-producer-perf-test.sh
_kafka_consumer_perf_test() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --broker-list) COMPREPLY=(); return 0 ;;
    --topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") ); return 0 ;;
    --messages) COMPREPLY=(); return 0 ;;
    --group) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-consumer-groups)" -- "$cur") ); return 0 ;;
    --fetch-size) COMPREPLY=(); return 0 ;;
    --socket-buffer-size) COMPREPLY=(); return 0 ;;
    --consumer.config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --reporting-interval) COMPREPLY=(); return 0 ;;
    --date-format) COMPREPLY=(); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --broker-list --topic --messages --group --fetch-size --from-latest --socket-buffer-size --consumer.config --print-metrics --show-detailed-stats --timeout --reporting-interval --date-format --hide-header --help --version" -- "$cur") )
}
complete -F _kafka_consumer_perf_test kafka-consumer-perf-test kafka-consumer-perf-test.sh
_kafka_delete_records() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --offset-json-file) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --command-config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --offset-json-file --command-config --help --version" -- "$cur") )
}
complete -F _kafka_delete_records kafka-delete-records kafka-delete-records.sh
_kafka_log_dirs() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --command-config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --topic-list) COMPREPLY=(); return 0 ;;
    --broker-list) COMPREPLY=(); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --command-config --describe --topic-list --broker-list --help --version" -- "$cur") )
}
complete -F _kafka_log_dirs kafka-log-dirs kafka-log-dirs.sh
_kafka_verifiable_producer() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") ); return 0 ;;
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --broker-list) COMPREPLY=(); return 0 ;;
    --max-messages) COMPREPLY=(); return 0 ;;
    --throughput) COMPREPLY=(); return 0 ;;
    --acks) COMPREPLY=( $(compgen -W "-1 0 1" -- "$cur") ); return 0 ;;
    --producer.config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --message-create-time) COMPREPLY=(); return 0 ;;
    --value-prefix) COMPREPLY=(); return 0 ;;
    --repeating-keys) COMPREPLY=(); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--topic --bootstrap-server --broker-list --max-messages --throughput --acks --producer.config --message-create-time --value-prefix --repeating-keys --help --version" -- "$cur") )
}
complete -F _kafka_verifiable_producer kafka-verifiable-producer kafka-verifiable-producer.sh
_kafka_verifiable_consumer() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --broker-list) COMPREPLY=(); return 0 ;;
    --topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") ); return 0 ;;
    --group-protocol) COMPREPLY=( $(compgen -W "classic" -- "$cur") ); return 0 ;;
    --group-remote-assignor) COMPREPLY=(); return 0 ;;
    --group-id) COMPREPLY=(); return 0 ;;
    --group-instance-id) COMPREPLY=(); return 0 ;;
    --max-messages) COMPREPLY=(); return 0 ;;
    --session-timeout) COMPREPLY=(); return 0 ;;
    --reset-policy) COMPREPLY=( $(compgen -W "earliest latest none" -- "$cur") ); return 0 ;;
    --assignment-strategy) COMPREPLY=( $(compgen -W "org.apache.kafka.clients.consumer.RangeAssignor org.apache.kafka.clients.consumer.RoundRobinAssignor" -- "$cur") ); return 0 ;;
    --consumer.config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --broker-list --topic --group-protocol --group-remote-assignor --group-id --group-instance-id --max-messages --session-timeout --verbose --enable-autocommit --reset-policy --assignment-strategy --consumer.config --help --version" -- "$cur") )
}
complete -F _kafka_verifiable_consumer kafka-verifiable-consumer kafka-verifiable-consumer.sh
_kafka_e2e_latency() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
  esac
  if [[ "$cur" != -* ]]; then COMPREPLY=( $(compgen -f -- "$cur") ); return 0; fi
  COMPREPLY=( $(compgen -W "--help --version" -- "$cur") )
}
complete -F _kafka_e2e_latency kafka-e2e-latency kafka-e2e-latency.sh
_kafka_run_class() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
  esac
  if [[ "$cur" != -* ]]; then COMPREPLY=( $(compgen -f -- "$cur") ); return 0; fi
  COMPREPLY=( $(compgen -W "--help --version" -- "$cur") )
}
complete -F _kafka_run_class kafka-run-class kafka-run-class.sh
_kafka_storage() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --cluster-id) COMPREPLY=(); return 0 ;;
    --release-version) COMPREPLY=(); return 0 ;;
  esac
  if [[ "$cur" != -* ]]; then COMPREPLY=( $(compgen -f -- "$cur") ); return 0; fi
  COMPREPLY=( $(compgen -W "--config --cluster-id --ignore-formatted --release-version --standalone --no-initial-controllers --help --version" -- "$cur") )
}
complete -F _kafka_storage kafka-storage kafka-storage.sh
_kafka_metadata_quorum() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --bootstrap-controller) COMPREPLY=(); return 0 ;;
    --command-config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
  esac
  if [[ "$cur" != -* ]]; then COMPREPLY=( $(compgen -f -- "$cur") ); return 0; fi
  COMPREPLY=( $(compgen -W "--bootstrap-server --bootstrap-controller --command-config --status --replication --human-readable --help --version" -- "$cur") )
}
complete -F _kafka_metadata_quorum kafka-metadata-quorum kafka-metadata-quorum.sh
_kafka_leader_election() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --admin.config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --path-to-json-file) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") ); return 0 ;;
    --partition) COMPREPLY=(); return 0 ;;
    --election-type) COMPREPLY=( $(compgen -W "preferred unclean" -- "$cur") ); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --admin.config --path-to-json-file --topic --partition --all-topic-partitions --election-type --help --version" -- "$cur") )
}
complete -F _kafka_leader_election kafka-leader-election kafka-leader-election.sh
_kafka_reassign_partitions() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --bootstrap-server) COMPREPLY=(); return 0 ;;
    --bootstrap-controller) COMPREPLY=(); return 0 ;;
    --command-config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --reassignment-json-file) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --topics-to-move-json-file) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --broker-list) COMPREPLY=(); return 0 ;;
    --throttle) COMPREPLY=(); return 0 ;;
    --replica-alter-log-dirs-throttle) COMPREPLY=(); return 0 ;;
    --timeout) COMPREPLY=(); return 0 ;;
  esac
  COMPREPLY=( $(compgen -W "--bootstrap-server --bootstrap-controller --command-config --generate --execute --verify --cancel --list --reassignment-json-file --topics-to-move-json-file --broker-list --disable-rack-aware --throttle --replica-alter-log-dirs-throttle --timeout --additional --preserve-throttles --help --version" -- "$cur") )
}
complete -F _kafka_reassign_partitions kafka-reassign-partitions kafka-reassign-partitions.sh
_kafka_cluster() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --brokers) COMPREPLY=(); return 0 ;;
    --controllers) COMPREPLY=(); return 0 ;;
    --dir) COMPREPLY=( $(compgen -d -- "$cur") ); return 0 ;;
    --config) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    --base-port) COMPREPLY=(); return 0 ;;
  esac
  if [[ "$cur" != -* ]]; then COMPREPLY=( $(compgen -f -- "$cur") ); return 0; fi
  COMPREPLY=( $(compgen -W "--brokers --controllers --dir --config --base-port --help --version" -- "$cur") )
}
complete -F _kafka_cluster kafka-cluster kafka-cluster.sh
_zookeeper_server_start() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
  esac
  if [[ "$cur" != -* ]]; then COMPREPLY=( $(compgen -f -- "$cur") ); return 0; fi
  COMPREPLY=( $(compgen -W "--help --version" -- "$cur") )
}
complete -F _zookeeper_server_start zookeeper-server-start zookeeper-server-start.sh
_zookeeper_server_stop() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
  esac
  if [[ "$cur" != -* ]]; then COMPREPLY=( $(compgen -f -- "$cur") ); return 0; fi
  COMPREPLY=( $(compgen -W "--help --version" -- "$cur") )
}
complete -F _zookeeper_server_stop zookeeper-server-stop zookeeper-server-stop.sh
