import "./styles.css";
import { render } from "preact";
import { App } from "./app";
import { startRouter } from "./lib/router";
import { restoreSession } from "./state/session";

startRouter();
void restoreSession();
const root = document.getElementById("app");
if (root) render(<App />, root);
