export * from "./boards";
export * from "./events";
export * from "./jobs";
export * from "./notifications";
export * from "./security";
export * from "./sessions";
export * from "./tasks";
export * from "./users";
