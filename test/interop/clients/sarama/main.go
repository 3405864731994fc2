// sarama (Debian's golang-github-shopify-sarama-dev 1.22.1) driver for the
// interop tests. Built by sarama.test.ts with GO111MODULE=off and
// GOPATH=/usr/share/gocode. Every subcommand prints one JSON object per line:
//
//	produce BOOTSTRAP TOPIC CODEC PREFIX COUNT IDEMPOTENT(0|1) -> {"produced": n}
//	produce-timed BOOTSTRAP TOPIC CODEC COUNT BASE_MS STEP_MS -> {"produced": n}; record i (value "t<i>",
//	                                     partition 0) carries CreateTime BASE_MS + i*STEP_MS, 5 records a batch
//	consume BOOTSTRAP TOPIC COUNT     -> {"record": {...}} per record (partition consumers, no group)
//	group BOOTSTRAP TOPIC GROUP       -> {"assigned": [...]}, {"record": {...}}; marks every record;
//	                                     on stdin EOF closes (commits, leaves), {"closed": true}
//	offsets BOOTSTRAP TOPIC PARTITION SEEK -> {"earliest","latest","byTime"}, then the record at SEEK
//	admin BOOTSTRAP TOPIC             -> creates TOPIC (3 partitions), lists, describes, deletes it
//
// config.Version is V2_1_0_0: sarama 1.22.1 never sends ApiVersions, and its
// default (V0_8_2_0) would send magic-0 messages the broker does not take.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/ioutil"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

type record struct {
	Partition int32             `json:"partition"`
	Offset    int64             `json:"offset"`
	Key       *string           `json:"key"`
	Value     *string           `json:"value"`
	Headers   map[string]string `json:"headers"`
}

var out = json.NewEncoder(os.Stdout)
var outMu sync.Mutex

func emit(v interface{}) {
	outMu.Lock()
	defer outMu.Unlock()
	if err := out.Encode(v); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}

func text(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

func toRecord(m *sarama.ConsumerMessage) record {
	h := map[string]string{}
	for _, rh := range m.Headers {
		h[string(rh.Key)] = string(rh.Value)
	}
	return record{Partition: m.Partition, Offset: m.Offset, Key: text(m.Key), Value: text(m.Value), Headers: h}
}

func config() *sarama.Config {
	c := sarama.NewConfig()
	c.Version = sarama.V2_1_0_0
	c.ClientID = "sarama-interop"
	c.Metadata.Retry.Backoff = 100 * time.Millisecond
	return c
}

var codecs = map[string]sarama.CompressionCodec{
	"none":   sarama.CompressionNone,
	"gzip":   sarama.CompressionGZIP,
	"snappy": sarama.CompressionSnappy,
	"lz4":    sarama.CompressionLZ4,
	"zstd":   sarama.CompressionZSTD,
}

func produce(bootstrap, topic, codec, prefix string, count int, idempotent bool) {
	c := config()
	c.Producer.Return.Successes = true
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Compression = codecs[codec]
	c.Producer.Retry.Max = 3
	c.Producer.Retry.Backoff = 100 * time.Millisecond
	c.Producer.Flush.Messages = 20
	c.Producer.Flush.Frequency = 10 * time.Millisecond
	if idempotent {
		c.Producer.Idempotent = true
		c.Net.MaxOpenRequests = 1
	}
	producer, err := sarama.NewSyncProducer([]string{bootstrap}, c)
	if err != nil {
		fail(err)
	}
	msgs := make([]*sarama.ProducerMessage, count)
	for i := range msgs {
		msgs[i] = &sarama.ProducerMessage{
			Topic: topic,
			Key:   sarama.StringEncoder(fmt.Sprintf("%s-k%d", prefix, i)),
			Value: sarama.StringEncoder(fmt.Sprintf("%s-v%d", prefix, i)),
			Headers: []sarama.RecordHeader{
				{Key: []byte("h"), Value: []byte(fmt.Sprintf("%s-h%d", prefix, i))},
				{Key: []byte("n"), Value: []byte(strconv.Itoa(i))},
			},
		}
	}
	if err := producer.SendMessages(msgs); err != nil {
		if perrs, ok := err.(sarama.ProducerErrors); ok && len(perrs) > 0 {
			fail(perrs[0].Err)
		}
		fail(err)
	}
	if err := producer.Close(); err != nil {
		fail(err)
	}
	emit(map[string]int{"produced": count})
}

// produceTimed writes records with chosen timestamps. sarama 1.22 leaves the batch header's
// MaxTimestamp at -1; the broker must compute it from the records (Kafka's LogValidator).
func produceTimed(bootstrap, topic, codec string, count int, baseMs, stepMs int64) {
	c := config()
	c.Producer.Return.Successes = true
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Compression = codecs[codec]
	c.Producer.Partitioner = sarama.NewManualPartitioner
	c.Producer.Flush.Messages = 5
	c.Producer.Flush.Frequency = 10 * time.Millisecond
	producer, err := sarama.NewSyncProducer([]string{bootstrap}, c)
	if err != nil {
		fail(err)
	}
	msgs := make([]*sarama.ProducerMessage, count)
	for i := range msgs {
		ms := baseMs + int64(i)*stepMs
		msgs[i] = &sarama.ProducerMessage{
			Topic:     topic,
			Partition: 0,
			Value:     sarama.StringEncoder(fmt.Sprintf("t%d", i)),
			Timestamp: time.Unix(0, ms*int64(time.Millisecond)),
		}
	}
	if err := producer.SendMessages(msgs); err != nil {
		if perrs, ok := err.(sarama.ProducerErrors); ok && len(perrs) > 0 {
			fail(perrs[0].Err)
		}
		fail(err)
	}
	if err := producer.Close(); err != nil {
		fail(err)
	}
	emit(map[string]int{"produced": count})
}

func consume(bootstrap, topic string, count int) {
	client, err := sarama.NewClient([]string{bootstrap}, config())
	if err != nil {
		fail(err)
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		fail(err)
	}
	partitions, err := client.Partitions(topic)
	if err != nil {
		fail(err)
	}
	messages := make(chan *sarama.ConsumerMessage)
	for _, p := range partitions {
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			fail(err)
		}
		go func(pc sarama.PartitionConsumer) {
			for m := range pc.Messages() {
				messages <- m
			}
		}(pc)
	}
	deadline := time.After(20 * time.Second)
	for seen := 0; seen < count; seen++ {
		select {
		case m := <-messages:
			emit(map[string]record{"record": toRecord(m)})
		case <-deadline:
			fail(fmt.Errorf("read %d of %d records", seen, count))
		}
	}
	consumer.Close()
	client.Close()
}

type handler struct{ topic string }

func (h handler) Setup(s sarama.ConsumerGroupSession) error {
	assigned := append([]int32{}, s.Claims()[h.topic]...)
	sort.Slice(assigned, func(i, j int) bool { return assigned[i] < assigned[j] })
	emit(map[string]interface{}{"assigned": assigned, "generationId": s.GenerationID()})
	return nil
}

func (h handler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (h handler) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		emit(map[string]record{"record": toRecord(m)})
		s.MarkMessage(m, "")
	}
	return nil
}

func group(bootstrap, topic, groupID string) {
	c := config()
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Offsets.CommitInterval = 100 * time.Millisecond
	c.Consumer.Group.Heartbeat.Interval = 500 * time.Millisecond
	c.Consumer.Group.Session.Timeout = 10 * time.Second
	c.Consumer.Return.Errors = true
	cg, err := sarama.NewConsumerGroup([]string{bootstrap}, groupID, c)
	if err != nil {
		fail(err)
	}
	go func() {
		for err := range cg.Errors() {
			emit(map[string]string{"error": err.Error()})
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		io.Copy(ioutil.Discard, os.Stdin)
		cancel()
	}()
	for ctx.Err() == nil {
		// Consume returns at every rebalance; call it again to rejoin.
		if err := cg.Consume(ctx, []string{topic}, handler{topic}); err != nil && ctx.Err() == nil {
			emit(map[string]string{"error": err.Error()})
			time.Sleep(200 * time.Millisecond)
		}
	}
	if err := cg.Close(); err != nil {
		fail(err)
	}
	emit(map[string]bool{"closed": true})
}

func offsets(bootstrap, topic string, partition int32, seek int64) {
	client, err := sarama.NewClient([]string{bootstrap}, config())
	if err != nil {
		fail(err)
	}
	earliest, err := client.GetOffset(topic, partition, sarama.OffsetOldest)
	if err != nil {
		fail(err)
	}
	latest, err := client.GetOffset(topic, partition, sarama.OffsetNewest)
	if err != nil {
		fail(err)
	}
	byTime, err := client.GetOffset(topic, partition, 0)
	if err != nil {
		fail(err)
	}
	emit(map[string]int64{"earliest": earliest, "latest": latest, "byTime": byTime})
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		fail(err)
	}
	pc, err := consumer.ConsumePartition(topic, partition, seek)
	if err != nil {
		fail(err)
	}
	select {
	case m := <-pc.Messages():
		emit(map[string]record{"record": toRecord(m)})
	case <-time.After(10 * time.Second):
		fail(fmt.Errorf("no record at offset %d", seek))
	}
	pc.Close()
	consumer.Close()
	client.Close()
}

func admin(bootstrap, topic string) {
	ca, err := sarama.NewClusterAdmin([]string{bootstrap}, config())
	if err != nil {
		fail(err)
	}
	if err := ca.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1}, false); err != nil {
		fail(err)
	}
	topics, err := ca.ListTopics()
	if err != nil {
		fail(err)
	}
	detail, ok := topics[topic]
	emit(map[string]interface{}{"listed": ok, "partitions": detail.NumPartitions})
	md, err := ca.DescribeTopics([]string{topic})
	if err != nil {
		fail(err)
	}
	emit(map[string]interface{}{"described": md[0].Name, "partitions": len(md[0].Partitions), "error": int(md[0].Err)})
	if err := ca.DeleteTopic(topic); err != nil {
		fail(err)
	}
	topics, err = ca.ListTopics()
	if err != nil {
		fail(err)
	}
	_, stillThere := topics[topic]
	emit(map[string]bool{"deleted": !stillThere})
	ca.Close()
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fail(err)
	}
	return n
}

func main() {
	a := os.Args[1:]
	switch a[0] {
	case "produce":
		produce(a[1], a[2], a[3], a[4], atoi(a[5]), a[6] == "1")
	case "produce-timed":
		produceTimed(a[1], a[2], a[3], atoi(a[4]), int64(atoi(a[5])), int64(atoi(a[6])))
	case "consume":
		consume(a[1], a[2], atoi(a[3]))
	case "group":
		group(a[1], a[2], a[3])
	case "offsets":
		offsets(a[1], a[2], int32(atoi(a[3])), int64(atoi(a[4])))
	case "admin":
		admin(a[1], a[2])
	default:
		fail(fmt.Errorf("unknown subcommand %q", a[0]))
	}
}
