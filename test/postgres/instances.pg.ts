import { describeInstancesContract } from "../support/instances-contract";

// Two instances on one PostgreSQL database, sharing limits through `shared_counters` and the
// feed's wakes through LISTEN/NOTIFY.
describeInstancesContract("PostgreSQL", "database", () => ({}));
