import { describe, expect, it } from "vitest";
import { inlineParameters } from "./sql-rows";

describe("inlineParameters (simple-protocol statements)", () => {
  it.each([
    ["text", ["it's"], "SELECT $rw$it's$rw$"],
    ["null and undefined", [null], "SELECT NULL"],
    ["number", [0.052], "SELECT 0.052"],
    ["bigint", [12345678901234567890n], "SELECT 12345678901234567890"],
    ["boolean", [false], "SELECT FALSE"],
    ["date as ISO text", [new Date(Date.UTC(2026, 10, 25, 12, 0, 0, 7))], "SELECT $rw$2026-11-25T12:00:00.007Z$rw$"],
    // the value holds the tag: the next free tag is used
    ["value containing the tag", ["a$rw$b"], "SELECT $rw1$a$rw$b$rw1$"],
    // "$rw" at the end would meet the closing "$rw$" and end the literal early ("x$rw$rw$")
    ["value ending in a tag prefix", ["x$rw"], "SELECT $rw1$x$rw$rw1$"],
    ["backslashes stay as they are", ["C:\\path\\n"], "SELECT $rw$C:\\path\\n$rw$"],
  ])("%s", (_name, values, expected) => {
    expect(inlineParameters({ text: "SELECT $1", values })).toBe(expected);
  });

  it("replaces every placeholder once, keeping casts; $10 is not $1 followed by 0", () => {
    const values = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(inlineParameters({ text: "SELECT $1::int, $10::int, $2", values })).toBe("SELECT 1::int, 10::int, 2");
    // A literal inserted for $1 that looks like a placeholder is not substituted again.
    expect(inlineParameters({ text: "SELECT $1, $2", values: ["$2", "x"] })).toBe("SELECT $rw$$2$rw$, $rw$x$rw$");
  });

  it("refuses what it cannot inline, naming the reason", () => {
    expect(() => inlineParameters({ text: "SELECT $2", values: [1] })).toThrow("statement uses $2 but has 1 parameters");
    expect(() => inlineParameters({ text: "SELECT $1", values: [Number.NaN] })).toThrow("cannot inline the number NaN as SQL");
    expect(() => inlineParameters({ text: "SELECT $1", values: ["a\u0000b"] })).toThrow("a text parameter contains a NUL character");
    expect(() => inlineParameters({ text: "SELECT $1", values: [{ a: 1 }] })).toThrow("cannot inline a object parameter as SQL");
  });
});
