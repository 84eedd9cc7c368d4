package io.relustream.stats;

/**
 * How messages, logs and charts name a group. Groups come from the records, so they can hold
 * anything: a name that would not read as one name is quoted, so that a line break in a group
 * cannot start a log line of its own.
 */
public final class GroupNames {

    private GroupNames() {}

    /**
     * The group as written, unless it would not read as one name (empty, blank at an end, a control
     * character such as a line break, or a comma, which lists separate): then quoted, with Java's
     * escapes ({@code ""}, {@code "a,b"}, {@code "\n"}).
     */
    public static String shown(String group) {
        boolean plain =
                !group.isEmpty()
                        && group.strip().length() == group.length()
                        && group.indexOf(',') < 0
                        && group.chars().noneMatch(Character::isISOControl);
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
                    if (Character.isISOControl(c)) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
