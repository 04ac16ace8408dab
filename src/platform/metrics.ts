import type { Database } from "bun:sqlite";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

/**
 * Prometheus instruments, on a registry of this app's own (tests build many apps in one
 * process). Process and database figures are read when scraped, so they cost nothing per request.
 */
export function createMetrics(sqlite: Database): Metrics {
  const registry = new Registry();
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route template and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer HTTP requests, by method, route template and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
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
    help: "Size of the SQLite database (pages in use times page size)",
    registers: [registry],
    collect() {
      const row = sqlite
        .query<{ bytes: number }, []>(
          "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()",
        )
        .get();
      this.set(row?.bytes ?? 0);
    },
  });
  // prom-client hashes the label set on every call; the set of (method, route template, status)
  // is small and bounded, so each one's instruments are looked up once and kept.
  const series = new Map<
    string,
    { count: { inc(): void }; time: { observe(value: number): void } }
  >();
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let instruments = series.get(key);
      if (!instruments) {
        const labels = { method, route, status: String(status) };
        instruments = { count: requests.labels(labels), time: duration.labels(labels) };
        series.set(key, instruments);
      }
      instruments.count.inc();
      instruments.time.observe(seconds);
    },
  };
}
