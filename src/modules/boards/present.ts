import { toIso } from "../../platform/clock";
import type { BoardRole } from "../../platform/db/tables";
import type { TaskView } from "../tasks/present";
import type { StoredList } from "./list-rows";
import type { StoredBoard, StoredMember } from "./rows";

export function presentBoard(board: StoredBoard, role: BoardRole) {
  return {
    id: board.id,
    name: board.name,
    description: board.description,
    owner_id: board.owner_id,
    role,
    created_at: toIso(board.created_at),
    updated_at: toIso(board.updated_at),
    version: board.version,
  };
}

export type BoardView = ReturnType<typeof presentBoard>;

export function presentList(list: StoredList) {
  return {
    id: list.id,
    board_id: list.board_id,
    name: list.name,
    position: list.position,
    created_at: toIso(list.created_at),
    updated_at: toIso(list.updated_at),
  };
}

export type ListView = ReturnType<typeof presentList>;

export function presentMember(member: StoredMember) {
  return {
    user_id: member.user_id,
    username: member.username,
    full_name: member.full_name,
    role: member.role,
    added_at: toIso(member.created_at),
  };
}

export type MemberView = ReturnType<typeof presentMember>;

export interface BoardDetailView extends BoardView {
  lists: (ListView & { cards: TaskView[] })[];
  members: MemberView[];
}

/** Strong validator of a board's current revision (lists, cards and members included). */
export function boardEtag(board: { id: number; version: number }): string {
  return `"b${board.id}.${board.version}"`;
}
