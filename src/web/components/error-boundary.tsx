import { Component, type ComponentChildren } from "preact";

/** A screen that fails to render says so, instead of leaving the page blank. */
export class ErrorBoundary extends Component<{ children: ComponentChildren }, { failed: boolean }> {
  override state = { failed: false };

  override componentDidCatch(error: unknown): void {
    console.error(error);
    this.setState({ failed: true });
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <section class="page" role="alert">
        <h1>Something went wrong</h1>
        <p>
          This screen could not be shown. Reload the page to try again; nothing you saved is lost.
        </p>
        <button type="button" class="primary" onClick={() => location.reload()}>
          Reload
        </button>
      </section>
    );
  }
}
