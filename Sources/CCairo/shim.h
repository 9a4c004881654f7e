// Cairo 2-D graphics: image (PNG), SVG and PDF surfaces. Only Sources/Plotting/Cairo/Canvas.swift imports this module.
#include <cairo.h>
#include <cairo-svg.h>
#include <cairo-pdf.h>
