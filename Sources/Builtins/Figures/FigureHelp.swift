/// The `help("figures")` overview: every figure function and method on one screen, with the conventions they share.
enum FigureHelp {
    static let topic = """
        Figures (PNG, SVG, PDF through Cairo; matplotlib's look, Okabe–Ito colours)

          fig = figure(rows=1, cols=2, width=500, height=200, dpi=150)   sizes in points (1/72 in); or figsize=[w, h] in inches
          fig.line(y, x=t, lower=m - sem, upper=m + sem, label="IT", panel=0)
          fig.heatmap(rdm, panel=1, cmap="RdBu_r", labels=names)
          fig.xlabel("Time (s)"); fig.suptitle("Ventral stream")
          fig.save("out.png")        → "out.png"  (.png, .svg or .pdf by extension)

        Panels are numbered row by row from 0; panel= takes an index (negative from the end) or [row, column].
        Colours: names (blue, orange, green, vermillion, purple, skyblue, yellow, black, grey, lightgrey),
        "#rrggbb", "#rrggbbaa" or [r, g, b(, a)] in [0, 1]. Colour maps: viridis, magma, cividis, RdBu_r
        (colormap(name) gives the 256 colours). vmin/vmax fix colour limits. Tensors or lists are accepted.

        Marks on axes (any mix in one panel):
          line(y, x, lower, upper, label, color, linewidth, style)   style: solid, dashed, dotted (-, --, :)
          scatter(x, y, size, values, cmap, vmin, vmax, label, color, colorbar_label)
          bars(heights [groups] or [groups, series], errors, labels, series, colors, width)
          hist(values, bins=10, range=[lo, hi], density=false, label, color)
          hline(y) / vline(x)   dashed grey reference lines (color, linewidth, style, label)
          heatmap(m, cmap, vmin, vmax, labels, row_labels, col_labels, separators, categories,
                  extent=[x0, x1, y0, y1], colorbar=true, colorbar_label)
        A panel of its own:
          images(stack [n, h, w(, c)] in [0, 1], cols, titles)
          brain(values, x, y, regions, triangles, cmap, vmin, vmax, threshold, two_sided)   flat maps
          surface(vertices [v, 3], faces [f, 3] int64, values [v], view="lateral"|[...], hemi="left")
        Panel settings (panel=…): title, xlabel, ylabel, xscale("log"), yscale, xlim(lo, hi), ylim,
          xticks(positions, labels), yticks, grid(true), legend(loc="best"|"upper right"|…|"none")
        Figure: suptitle(text), save(path, dpi=nil), attributes rows, cols, width, height, dpi, size (PNG pixels)

        Quick looks for the REPL (save a PNG, print and return its path): plot(y), plot(x, y), heatmap(m).
        figure_info(path) reads back a saved file: {format, bytes, width, height}.
        Errors name the operation and what disagrees, e.g.
          plot.line: x has 4 values but y has 3
          figure.panel: panel 2 is out of range for this 1 × 2 figure (panels 0...1)
          figure.save: panel 0: log y axis needs positive values, but a line has y = 0
        help(fig.line) (or any method) gives its formula, argument shapes and errors.
        """
}
