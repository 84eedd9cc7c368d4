package io.relustream.jobs.report;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PaletteTest {

    @Test
    void eachOfAHundredThousandLinesGetsAColourOfItsOwnThatIsNotPale() {
        // The chart draws every line, however many: 8000 pixels high, its legend names 326.
        List<Color> colours = Palette.groups(100_002);

        assertThat(colours.subList(0, 100_000)).doesNotHaveDuplicates();
        assertThat(colours.subList(100_000, 100_002)).isEqualTo(colours.subList(0, 2));
        assertThat(colours.subList(0, 10))
                .containsExactly(
                        new Color(31, 119, 180),
                        new Color(255, 127, 14),
                        new Color(44, 160, 44),
                        new Color(214, 39, 40),
                        new Color(148, 103, 189),
                        new Color(140, 86, 75),
                        new Color(227, 119, 194),
                        new Color(127, 127, 127),
                        new Color(188, 189, 34),
                        new Color(23, 190, 207));
        // None as light as the chart's grid lines (228, 228, 228): each stands out on white.
        assertThat(colours)
                .allSatisfy(
                        c ->
                                assertThat(
                                                Math.min(
                                                        c.getRed(),
                                                        Math.min(c.getGreen(), c.getBlue())))
                                        .isLessThan(200));
        assertThat(Palette.groups(3)).containsExactlyElementsOf(colours.subList(0, 3));
    }
}
