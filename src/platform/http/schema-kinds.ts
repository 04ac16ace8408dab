import { FormatRegistry, Kind, type TSchema, TypeRegistry } from "@sinclair/typebox";
import { t } from "elysia";

/**
 * Two string checks the server needs to make as JSON Schema reads them, so that the OpenAPI
 * document can state them with standard keywords alone:
 *
 * - `Text`: JSON Schema's `minLength`/`maxLength` count characters (Unicode code points);
 *   TypeBox's `String` counts UTF-16 units, which refused a title of 150 emoji.
 * - `WholeNumber`: a path or query parameter documented as `type: integer`, checked on the text
 *   the client sent (canonical decimal digits, within range) and handed to the handler as a
 *   number. Elysia's `t.Integer` would accept `01`, `1.0` or `1e3` and report a range error
 *   without the parameter's name.
 *
 * Both are TypeBox custom kinds: the check is registered once here, and the schema object is
 * plain JSON Schema, so the document shows it as it is.
 */

const TEXT_KIND = "Text";
const WHOLE_NUMBER_KIND = "WholeNumber";

export interface TextOptions {
  minLength?: number;
  maxLength: number;
  pattern?: string;
  format?: string;
  /** The message for any failure; by default it states the length rule. */
  error?: string;
  description?: string;
  examples?: string[];
  /**
   * Count the text without its surrounding whitespace, which the service trims off. Kept under
   * a symbol: it is not JSON Schema, and the document states the limits for what is stored.
   */
  trimmed?: boolean;
}

const TRIMMED = Symbol("Text.trimmed");

type TextSchema = TSchema & Omit<TextOptions, "trimmed"> & { [TRIMMED]?: boolean };

export interface WholeNumberOptions {
  minimum: number;
  maximum: number;
  error?: string;
  description?: string;
}

type WholeNumberSchema = TSchema & WholeNumberOptions;

/** The number of Unicode code points (a surrogate pair is one; a lone surrogate counts too). */
export function codePointLength(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdbff) continue;
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) {
      count--;
      i++;
    }
  }
  return count;
}

function fitsLength(text: string, minLength: number, maxLength: number): boolean {
  // Code points ≤ UTF-16 units ≤ 2 × code points: most texts are decided without counting.
  const units = text.length;
  if (units < minLength || units > 2 * maxLength) return false;
  if (units <= maxLength && units >= 2 * minLength) return true;
  const points = codePointLength(text);
  return points >= minLength && points <= maxLength;
}

const patterns = new Map<string, RegExp>();

/** JSON Schema patterns are ECMA-262 regular expressions over code points: the `u` flag. */
function compiledPattern(pattern: string): RegExp {
  let compiled = patterns.get(pattern);
  if (!compiled) {
    compiled = new RegExp(pattern, "u");
    patterns.set(pattern, compiled);
  }
  return compiled;
}

function checkText(schema: TextSchema, value: unknown): boolean {
  if (typeof value !== "string") return false;
  const counted = schema[TRIMMED] ? value.trim() : value;
  if (!fitsLength(counted, schema.minLength ?? 0, schema.maxLength)) return false;
  if (schema.pattern !== undefined && !compiledPattern(schema.pattern).test(value)) return false;
  if (schema.format !== undefined) {
    const format = FormatRegistry.Get(schema.format);
    if (!format?.(value)) return false;
  }
  return true;
}

// Digits only, no sign, no leading zero; 16 digits is past any range we accept.
const CANONICAL_WHOLE_NUMBER = /^(?:0|[1-9][0-9]{0,15})$/;

/**
 * The text a client sent, or the number it was already decoded to: Elysia decodes a query twice
 * (`c.query = Decode(c.query)` appears twice in its compiled handler) and swallows the second
 * attempt's failure, so refusing the number would cost a thrown error on every request and
 * change nothing. Only the server itself can produce a number here; clients send text.
 */
function checkWholeNumber(schema: WholeNumberSchema, value: unknown): boolean {
  let number: number;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) return false;
    number = value;
  } else if (typeof value === "string" && CANONICAL_WHOLE_NUMBER.test(value)) {
    number = Number(value);
  } else {
    return false;
  }
  return number >= schema.minimum && number <= schema.maximum;
}

if (!TypeRegistry.Has(TEXT_KIND)) TypeRegistry.Set(TEXT_KIND, checkText);
if (!TypeRegistry.Has(WHOLE_NUMBER_KIND)) TypeRegistry.Set(WHOLE_NUMBER_KIND, checkWholeNumber);

function lengthRule(minLength: number, maxLength: number): string {
  const most = maxLength.toLocaleString("en-US");
  return minLength > 0
    ? `Must be ${minLength}–${most} characters`
    : `Must be at most ${most} characters`;
}

/** A string limited in characters (code points), as JSON Schema counts them. */
export function Text({ trimmed, ...options }: TextOptions) {
  const error = options.error ?? lengthRule(options.minLength ?? 0, options.maxLength);
  const schema = { ...options, error, type: "string", [Kind]: TEXT_KIND };
  return t.Unsafe<string>(trimmed ? { ...schema, [TRIMMED]: true } : schema);
}

/**
 * A whole number sent as text (a path or query parameter): documented as an integer, checked on
 * the digits sent, decoded to a number for the handler.
 */
export function WholeNumber(options: WholeNumberOptions) {
  const error =
    options.error ?? `Must be a whole number from ${options.minimum} to ${options.maximum}`;
  const text = t.Unsafe<string>({
    ...options,
    error,
    type: "integer",
    [Kind]: WHOLE_NUMBER_KIND,
  });
  return t
    .Transform(text)
    .Decode((value) => Number(value))
    .Encode((value) => String(value));
}
