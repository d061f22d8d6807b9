//===- Plot.cpp - SVG charts of a tuning run ------------------------------===//

#include "cost-model/Plot.h"
#include "cost-model/TuningDatabase.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

using namespace ddl::cost;

namespace {
/// One panel: data ranges mapped onto a pixel box.
struct Panel {
  double left, top, width, height;
  double x0, x1, y0, y1;
  bool logScale = false;
  double px(double x) const { return left + (x - x0) / (x1 - x0) * width; }
  double py(double y) const {
    double v = logScale ? std::log10(y) : y;
    double lo = logScale ? std::log10(y0) : y0;
    double hi = logScale ? std::log10(y1) : y1;
    return top + height - (v - lo) / (hi - lo) * height;
  }
};
} // namespace

/// `value` with `digits` significant digits.
static std::string number(double value, int digits) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  return text;
}

static std::string escape(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

/// Axes, ticks and labels of `p`.
static void axes(llvm::raw_ostream &os, const Panel &p, llvm::StringRef xLabel,
                 llvm::StringRef yLabel) {
  os << llvm::formatv("<rect x='{0}' y='{1}' width='{2}' height='{3}' "
                      "fill='none' stroke='#444'/>\n",
                      p.left, p.top, p.width, p.height);
  for (int i = 0; i <= 4; ++i) {
    double x = p.x0 + (p.x1 - p.x0) * i / 4;
    double y =
        p.logScale
            ? std::pow(10.0, std::log10(p.y0) +
                                 (std::log10(p.y1) - std::log10(p.y0)) * i / 4)
            : p.y0 + (p.y1 - p.y0) * i / 4;
    os << llvm::formatv("<text x='{0}' y='{1}' font-size='11' "
                        "text-anchor='middle'>{2}</text>\n",
                        p.px(x), p.top + p.height + 14, number(x, 4));
    os << llvm::formatv("<text x='{0}' y='{1}' font-size='11' "
                        "text-anchor='end'>{2}</text>\n",
                        p.left - 4, p.py(y) + 4, number(y, 3));
  }
  os << llvm::formatv("<text x='{0}' y='{1}' font-size='12' "
                      "text-anchor='middle'>{2}</text>\n",
                      p.left + p.width / 2, p.top + p.height + 30,
                      escape(xLabel));
  os << llvm::formatv("<text x='{0}' y='{1}' font-size='12' "
                      "text-anchor='middle' transform='rotate(-90 {0} {1})'>"
                      "{2}</text>\n",
                      p.left - 48, p.top + p.height / 2, escape(yLabel));
}

llvm::Error ddl::cost::writeTuningPlot(llvm::StringRef path,
                                       llvm::StringRef title,
                                       const std::vector<Series> &curves,
                                       const Series &scatter) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error)
    return llvm::createStringError("cannot write '" + path +
                                   "': " + error.message());
  const double inf = std::numeric_limits<double>::infinity();
  os << "<svg xmlns='http://www.w3.org/2000/svg' width='1000' height='420' "
        "font-family='sans-serif'>\n<rect width='1000' height='420' "
        "fill='white'/>\n";
  os << llvm::formatv("<text x='500' y='22' font-size='15' "
                      "text-anchor='middle'>{0}</text>\n",
                      escape(title));
  // Left: the tuning curves.
  Panel curve{80, 50, 380, 300, 0, 1, inf, -inf};
  for (const Series &s : curves)
    for (size_t i = 0; i < s.x.size(); ++i)
      if (s.y[i] > 0) {
        curve.x1 = std::max(curve.x1, s.x[i]);
        curve.y0 = std::min(curve.y0, s.y[i]);
        curve.y1 = std::max(curve.y1, s.y[i]);
      }
  if (curve.y0 == inf)
    curve.y0 = 0, curve.y1 = 1;
  double pad = std::max(1e-9, (curve.y1 - curve.y0) * 0.05);
  curve.y0 = std::max(0.0, curve.y0 - pad);
  curve.y1 += pad;
  axes(os, curve, "trials", "estimated end-to-end latency (ms)");
  int legend = 0;
  for (const Series &s : curves) {
    std::string points;
    for (size_t i = 0; i < s.x.size(); ++i)
      if (s.y[i] > 0)
        points +=
            llvm::formatv("{0:f1},{1:f1} ", curve.px(s.x[i]), curve.py(s.y[i]))
                .str();
    os << "<polyline fill='none' stroke-width='2' stroke='" << s.color
       << "' points='" << points << "'/>\n";
    os << llvm::formatv("<text x='{0}' y='{1}' font-size='12' "
                        "fill='{2}'>{3}</text>\n",
                        curve.left + curve.width - 150,
                        curve.top + 16 + 16 * legend++, s.color,
                        escape(s.label));
  }
  // Right: predicted against measured, log-log.
  Panel points{580, 50, 380, 300, inf, -inf, inf, -inf, /*logScale=*/true};
  for (size_t i = 0; i < scatter.x.size(); ++i)
    if (scatter.x[i] > 0 && scatter.y[i] > 0) {
      points.x0 = std::min({points.x0, scatter.x[i], scatter.y[i]});
      points.x1 = std::max({points.x1, scatter.x[i], scatter.y[i]});
    }
  if (points.x0 == inf)
    points.x0 = 0.001, points.x1 = 1;
  points.x0 /= 1.2;
  points.x1 *= 1.2;
  points.y0 = points.x0;
  points.y1 = points.x1;
  // Both axes log: x is mapped through the same log transform by hand.
  Panel xLog = points;
  auto pxLog = [&](double x) {
    return xLog.left + (std::log10(x) - std::log10(xLog.x0)) /
                           (std::log10(xLog.x1) - std::log10(xLog.x0)) *
                           xLog.width;
  };
  os << llvm::formatv("<rect x='{0}' y='{1}' width='{2}' height='{3}' "
                      "fill='none' stroke='#444'/>\n",
                      points.left, points.top, points.width, points.height);
  for (int i = 0; i <= 4; ++i) {
    double v = std::pow(
        10.0, std::log10(points.x0) +
                  (std::log10(points.x1) - std::log10(points.x0)) * i / 4);
    os << llvm::formatv("<text x='{0}' y='{1}' font-size='11' "
                        "text-anchor='middle'>{2}</text>\n",
                        pxLog(v), points.top + points.height + 14,
                        number(v, 3));
    os << llvm::formatv("<text x='{0}' y='{1}' font-size='11' "
                        "text-anchor='end'>{2}</text>\n",
                        points.left - 4, points.py(v) + 4, number(v, 3));
  }
  os << llvm::formatv("<text x='{0}' y='{1}' font-size='12' "
                      "text-anchor='middle'>measured latency (ms)</text>\n",
                      points.left + points.width / 2,
                      points.top + points.height + 30);
  os << llvm::formatv("<text x='{0}' y='{1}' font-size='12' "
                      "text-anchor='middle' transform='rotate(-90 {0} {1})'>"
                      "predicted latency (ms)</text>\n",
                      points.left - 48, points.top + points.height / 2);
  os << llvm::formatv("<line x1='{0}' y1='{1}' x2='{2}' y2='{3}' "
                      "stroke='#aaa' stroke-dasharray='4'/>\n",
                      pxLog(points.x0), points.py(points.x0), pxLog(points.x1),
                      points.py(points.x1));
  for (size_t i = 0; i < scatter.x.size(); ++i)
    if (scatter.x[i] > 0 && scatter.y[i] > 0)
      os << llvm::formatv("<circle cx='{0:f1}' cy='{1:f1}' r='2.5' "
                          "fill='{2}' fill-opacity='0.6'/>\n",
                          pxLog(scatter.x[i]), points.py(scatter.y[i]),
                          scatter.color);
  os << llvm::formatv("<text x='{0}' y='{1}' font-size='12' "
                      "fill='{2}'>{3}</text>\n",
                      points.left + 8, points.top + 16, scatter.color,
                      escape(scatter.label));
  os << "</svg>\n";
  return closeOutput(os, path);
}
