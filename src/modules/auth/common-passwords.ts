import list from "./common-passwords.txt" with { type: "text" };

let commonPasswords: Set<string> | null = null;

/** True for passwords on the built-in list of ~15,000 commonly used ones (case-insensitive). */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(
    list.split("\n").filter((line) => line !== "" && !line.startsWith("#")),
  );
  return commonPasswords.has(password.toLowerCase());
}
