import { Gauge, type Metric, Registry } from "prom-client";
import { type DatabaseSizeSource, readDatabaseSize } from "./db/database-size";
import { createRequestSeries } from "./request-series";

export interface Metrics {
  registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Requests answered so far. */
  requestsAnswered(): number;
}

/**
 * Prometheus instruments, on a registry of this app's own (tests build many apps in one
 * process). Process and database figures are read when scraped, so they cost nothing per request.
 */
export function createMetrics(
  database: DatabaseSizeSource,
  openSockets: () => number = () => 0,
): Metrics {
  const registry = new Registry();
  const series = createRequestSeries([
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  ]);
  for (const metric of series.metrics) registry.registerMetric(metric as unknown as Metric);
  new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes",
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().rss);
    },
  });
  new Gauge({
    name: "process_heap_used_bytes",
    help: "JavaScript heap in use, in bytes",
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  new Gauge({
    name: "kanbun_database_size_bytes",
    help: "Size of the database (SQLite: pages in use times page size; PostgreSQL: pg_database_size)",
    registers: [registry],
    async collect() {
      this.set(await readDatabaseSize(database));
    },
  });
  new Gauge({
    name: "kanbun_websockets_open",
    help: "Open WebSockets on this server",
    registers: [registry],
    collect() {
      this.set(openSockets());
    },
  });
  return { registry, observeRequest: series.observe, requestsAnswered: series.answered };
}
