/** The API's resources, as /docs/json describes them (only the fields the app reads). */
export interface User {
  id: number;
  username: string;
  email: string;
  full_name: string | null;
  role: "user" | "admin" | "superadmin";
  email_verified: boolean;
  email_notifications: boolean;
  created_at: string;
  last_login_at: string | null;
}

export interface Task {
  id: number;
  title: string;
  description: string;
  completed: boolean;
  completed_at: string | null;
  due_date: string | null;
  priority: number;
  tags: string[];
  position: number;
  board_id: number | null;
  list_id: number | null;
  assignee_id: number | null;
  owner_id: number;
  created_at: string;
  updated_at: string;
  version: number;
}

export type BoardRole = "owner" | "editor" | "viewer";

export interface Board {
  id: number;
  name: string;
  description: string;
  owner_id: number;
  role: BoardRole;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface BoardList {
  id: number;
  board_id: number;
  name: string;
  position: number;
}

export interface BoardColumn extends BoardList {
  cards: Task[];
}

export interface Member {
  user_id: number;
  username: string;
  full_name: string | null;
  role: BoardRole;
  added_at: string;
}

export interface BoardDetail extends Board {
  lists: BoardColumn[];
  members: Member[];
}

export interface Comment {
  id: number;
  task_id: number;
  author: { id: number; username: string };
  body: string;
  created_at: string;
  updated_at: string;
  edited_at: string | null;
}

export interface Activity {
  id: number;
  board_id: number;
  actor: { id: number; username: string } | null;
  action: string;
  subject_type: string;
  subject_id: number;
  data: Record<string, unknown>;
  created_at: string;
}

export interface Notification {
  id: number;
  type: string;
  title: string;
  body?: string | null;
  board_id: number | null;
  task_id: number | null;
  comment_id: number | null;
  actor: { id: number; username: string } | null;
  read_at: string | null;
  created_at: string;
}

export interface Session {
  id: number;
  created_at: string;
  last_used_at: string;
  user_agent: string | null;
  ip: string | null;
  current: boolean;
}

export interface AdminUser extends User {
  is_active: boolean;
  updated_at: string;
}

export interface Ban {
  id: number;
  ip: string;
  reason: string;
  created_at: string;
  expires_at: string;
}

export interface Job {
  id: number;
  type: string;
  status: string;
  attempts: number;
  max_attempts: number;
  run_at: string;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** A realtime event (see the WebSocket protocol). */
export interface LiveEvent {
  type: string;
  seq: number;
  at: string;
  board_id: number | null;
  data: Record<string, unknown> & { id: number };
}
