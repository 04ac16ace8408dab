// Two `kanbun serve` processes on one PostgreSQL database, nothing else shared: the limits count
// in the database and the feed is woken by LISTEN/NOTIFY. See test/support/multi-instance.ts.
import { describeMultiInstance, POSTGRES_ONLY } from "../support/multi-instance";

describeMultiInstance("two instances on one PostgreSQL database", POSTGRES_ONLY);
