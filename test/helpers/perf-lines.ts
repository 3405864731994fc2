/** Shapes of the perf tools' lines (numbers vary from run to run), shared by the golden and e2e tests. */

export const PRODUCER_TOTAL = /^(\d+) records sent, (\d+\.\d) records\/sec \((\d+\.\d\d) MB\/sec\), (\d+\.\d\d) ms avg latency, (\d+\.\d\d) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/;
export const PRODUCER_WINDOW = /^(\d+) records sent, (\d+\.\d) records\/sec \((\d+\.\d\d) MB\/sec\), (\d+\.\d) ms avg latency, (\d+\.\d) ms max latency\.$/;
export const CONSUMER_ROW = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}), (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}), (\d+\.\d{4}), (\d+\.\d{4}), (\d+), (\d+\.\d{4}), (\d+), (\d+), (-?\d+\.\d{4}|Infinity|NaN), (-?\d+\.\d{4}|Infinity|NaN)$/;
