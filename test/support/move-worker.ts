import { createFileApp } from "./file-app";

/**
 * A second server on the same database file, in its own thread: it makes the moves it is sent,
 * all at once, and reports each response's status.
 */
export interface MoveOrder {
  token: string;
  cardId: number;
  body: { list_id?: number; position?: number };
}

declare const self: Worker;

self.onmessage = async (event: MessageEvent<{ path: string; moves: MoveOrder[] }>) => {
  const server = await createFileApp(event.data.path);
  const statuses = await Promise.all(
    event.data.moves.map(async (move) => {
      const response = await server.request(`/api/v1/tasks/${move.cardId}`, {
        method: "PATCH",
        token: move.token,
        body: move.body,
      });
      return response.status === 200 ? 200 : `${response.status} ${await response.text()}`;
    }),
  );
  server.close();
  self.postMessage(statuses);
};
