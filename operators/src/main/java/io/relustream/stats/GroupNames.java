package io.relustream.stats;

/**
 * How messages, logs and charts name a group. Groups come from the records, so they can hold
 * anything: a name that would not read as one name is quoted, so that a line break in a group
 * cannot start a log line of its own.
 *
 * <pre>{@code
 * GroupNames.shown("layer1");   // layer1
 * GroupNames.shown("a,b");      // "a,b"
 * GroupNames.shown("x\ny");     // "x\ny": quoted, the line break escaped
 * }</pre>
 */
public final class GroupNames {

    private GroupNames() {}

    /**
     * The group as written, unless it would not read as one name (empty, blank at an end, a comma,
     * which lists separate, or a character that breaks or reorders the line: a control character
     * such as a line break, a line or paragraph separator, a bidirectional override or isolate):
     * then quoted, with Java's escapes ({@code ""}, {@code "a,b"}, {@code "\n"}; the others as a
     * backslash, {@code u} and four hex digits).
     */
    public static String shown(String group) {
        boolean plain =
                !group.isEmpty()
                        && group.strip().length() == group.length()
                        && group.indexOf(',') < 0
                        && group.chars().noneMatch(GroupNames::escaped);
        if (plain) {
            return group;
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : group.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (escaped(c)) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    /** Characters written as a Unicode escape: they would break or reorder the line. */
    private static boolean escaped(int c) {
        return Character.isISOControl(c)
                || c == 0x2028
                || c == 0x2029
                || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069);
    }
}
