import { VERSION } from "../version";

export const HELP = `kanbun ${VERSION}: self-hosted task lists and kanban boards

Usage:
  kanbun [serve]                 Start the HTTP server (applies pending migrations first,
                                 copying the database to <file>.pre-<migration>.bak)
  kanbun migrate                 Apply pending database migrations and exit
  kanbun migrate-to-postgres [--to postgres://…]
                                 Copy the SQLite database into an empty PostgreSQL database
                                 (--to, or DATABASE_URL), verified by row counts
  kanbun users create --username U --email E [--password P] [--role user|admin|superadmin]
                                 Create an account (verified, with the given role)
  kanbun users set-password --email E [--password P]
                                 Set a user's password and end their sessions
  kanbun users set-role --email E --role user|admin|superadmin
                                 Change a user's role (the last superadmin keeps theirs)
  kanbun users list              List every account
  kanbun backup FILE             Write a consistent copy of the database to FILE (safe while serving;
                                 SQLite only: on PostgreSQL it names the pg_dump command to use)
  kanbun restore FILE            Check FILE and put it in place of the database (server stopped;
                                 the current database is kept as <file>.pre-restore-<time>.bak;
                                 SQLite only: on PostgreSQL it names the pg_restore command)
  kanbun version                 Print the version
  kanbun --help                  Show this help

A left-out --password is read from standard input: typed without echo on a terminal, or the
first line of a pipe (printf '%s\\n' "$PASSWORD" | kanbun users create …).

Only serve needs JWT_SECRET; the other commands sign nothing.

Configuration comes from the environment (a .env file in the working directory is read):
  PORT (3000)  HOST (0.0.0.0)  DATABASE_PATH (./data/kanbun.db, or :memory:)
  DATABASE_URL (unset: the SQLite file at DATABASE_PATH; postgres://… uses that PostgreSQL server)
  DATABASE_POOL_MAX (10, connections to PostgreSQL)
  JWT_SECRET (required in production, >= 32 chars)  ACCESS_TOKEN_TTL (900s)  REFRESH_TOKEN_TTL (30d)
  APP_URL  SMTP_URL  MAIL_FROM  CORS_ORIGINS  TRUST_PROXY (false)  RATE_LIMIT_MAX (300)
  AUTH_RATE_LIMIT_MAX (10)  AUTH_BAN_THRESHOLD (50)  BODY_LIMIT (1mb)  LOG_LEVEL (info)
  REQUIRE_EMAIL_VERIFICATION (false)  ALLOW_SIGNUP (true)  NODE_ENV (development)
  EVENT_RETENTION (7d)  WS_MAX_PER_USER (20)  REDIS_URL (unset: limits shared via the database)
  SCHEDULER_INTERVAL (5m)

API documentation is served at /docs once the server runs.`;
