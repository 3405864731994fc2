#!/bin/sh
# Kafka's script name for the kafka-acls command, so tutorials' "bin/kafka-acls.sh ..." work.
# Node refuses a .sh file as an ES module, so this hands over to the node shim beside it
# (also beside it on PATH after npm install -g, where both names are linked).
exec node "$(dirname "$0")/kafka-acls" "$@"
