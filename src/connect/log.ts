/**
 * Worker log lines in Kafka Connect's log4j layout, `[%d] %p %m (%c)`, on stdout as
 * connect-log4j.properties sends them (the source line number Kafka appends to the
 * logger name is left out: there is no Java source line to name).
 */
export type LogLevel = 'INFO' | 'WARN' | 'ERROR' | 'DEBUG';

export interface ConnectLog {
  log(level: LogLevel, message: string, category: string): void;
}

function timestamp(date: Date): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())},${pad(date.getMilliseconds(), 3)}`;
}

export function formatLogLine(level: LogLevel, message: string, category: string, date = new Date()): string {
  return `[${timestamp(date)}] ${level} ${message} (${category})`;
}

/** Writes each line to `stream` (stdout by default). */
export function streamLog(stream: NodeJS.WritableStream = process.stdout): ConnectLog {
  return {
    log(level, message, category) {
      stream.write(formatLogLine(level, message, category) + '\n');
    },
  };
}

/** Collects lines in memory (tests). */
export function memoryLog(lines: string[] = []): ConnectLog & { lines: string[] } {
  return {
    lines,
    log(level, message, category) {
      lines.push(`${level} ${message} (${category})`);
    },
  };
}

export const CATEGORY = {
  worker: 'org.apache.kafka.connect.runtime.Worker',
  sourceTask: 'org.apache.kafka.connect.runtime.WorkerSourceTask',
  sinkTask: 'org.apache.kafka.connect.runtime.WorkerSinkTask',
  standalone: 'org.apache.kafka.connect.cli.ConnectStandalone',
  distributedCli: 'org.apache.kafka.connect.cli.ConnectDistributed',
  connect: 'org.apache.kafka.connect.runtime.Connect',
  rest: 'org.apache.kafka.connect.runtime.rest.RestServer',
  standaloneHerder: 'org.apache.kafka.connect.runtime.standalone.StandaloneHerder',
  distributedHerder: 'org.apache.kafka.connect.runtime.distributed.DistributedHerder',
  coordinator: 'org.apache.kafka.connect.runtime.distributed.WorkerCoordinator',
  fileSource: 'org.apache.kafka.connect.file.FileStreamSourceTask',
  utils: 'org.apache.kafka.connect.util.ConnectUtils',
} as const;
