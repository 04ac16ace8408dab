export * from "./sessions";
export * from "./tasks";
export * from "./users";
