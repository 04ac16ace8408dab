import type { ComponentChildren } from "preact";

/** Icons drawn inline: no icon font or emoji, which not every system can display. */
const common = {
  width: 18,
  height: 18,
  viewBox: "0 0 24 24",
  fill: "none",
  stroke: "currentColor",
  "stroke-width": 2,
  "stroke-linecap": "round",
  "stroke-linejoin": "round",
} as const;

function Icon(props: { children: ComponentChildren }) {
  return (
    <svg {...common} aria-hidden="true">
      {props.children}
    </svg>
  );
}

export function BellIcon() {
  return (
    <Icon>
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </Icon>
  );
}

export function TrashIcon() {
  return (
    <Icon>
      <path d="M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6" />
    </Icon>
  );
}

export function PencilIcon() {
  return (
    <Icon>
      <path d="M17 3l4 4L8 20H4v-4z" />
    </Icon>
  );
}

export function MoveIcon() {
  return (
    <Icon>
      <path d="M5 9l-3 3 3 3M9 5l3-3 3 3M15 19l-3 3-3-3M19 9l3 3-3 3M2 12h20M12 2v20" />
    </Icon>
  );
}

export function ArrowIcon(props: { direction: "left" | "right" }) {
  return (
    <Icon>
      <path d={props.direction === "left" ? "M19 12H5M12 19l-7-7 7-7" : "M5 12h14M12 5l7 7-7 7"} />
    </Icon>
  );
}

export function GripIcon() {
  return (
    <Icon>
      <path d="M9 5h.01M15 5h.01M9 12h.01M15 12h.01M9 19h.01M15 19h.01" />
    </Icon>
  );
}
