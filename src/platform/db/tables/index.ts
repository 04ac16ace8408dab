export * from "./boards";
export * from "./jobs";
export * from "./security";
export * from "./sessions";
export * from "./tasks";
export * from "./users";
