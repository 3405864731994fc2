#!/bin/sh
# Kafka's script name for the kafka-server-start command, so tutorials' "bin/kafka-server-start.sh ..." work.
# Node refuses a .sh file as an ES module, so this hands over to the node shim beside it
# (also beside it on PATH after npm install -g, where both names are linked).
# The broker's command line carries Java Kafka's main class, "kafka.Kafka <properties file>",
# so scripts that find Kafka with `ps -ef | grep kafka.Kafka` find it; with -daemon the
# background process gets it instead of this short-lived one (and --help/--version run no broker).
case "$1" in
  -daemon|--daemon|--help|--version) exec node "$(dirname "$0")/kafka-server-start" "$@" ;;
  *) exec node "$(dirname "$0")/kafka-server-start" kafka.Kafka "$@" ;;
esac
