//===- Measure.cpp - timing candidate schedules in child processes --------===//

#include "cost-model/Measure.h"
#include "cost-model/TuningDatabase.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <random>
#include <thread>

using namespace ddl::cost;

static std::string dim(int64_t size) {
  return size == kDynamic ? std::string("?") : std::to_string(size);
}

/// `tensor<AxBx...xf32>`.
static std::string tensorType(std::initializer_list<int64_t> shape) {
  std::string text = "tensor<";
  for (int64_t size : shape)
    text += dim(size) + "x";
  return text + "f32>";
}

llvm::Expected<std::string> ddl::cost::kernelGraph(const KernelDesc &d) {
  if (d.types != "f32,f32,f32" && d.types != "f32")
    return llvm::createStringError("kernel '" + kernelKey(d) +
                                   "': only f32 kernels are measured");
  std::string text;
  llvm::raw_string_ostream os(text);
  switch (d.kind) {
  case KernelKind::Matmul: {
    // A Gemm with a constant B (a splat: the values do not change the
    // time, and the text stays small); trans_a / trans_b give the layouts.
    std::string a =
        d.lhsTransposed ? tensorType({d.k, d.m}) : tensorType({d.m, d.k});
    std::string b =
        d.rhsTransposed ? tensorType({d.n, d.k}) : tensorType({d.k, d.n});
    std::string c = tensorType({d.m, d.n});
    os << "func.func @main(%a: " << a << ") -> " << c << " {\n"
       << "  %b = nn.constant dense<0.5> : " << b << "\n"
       << "  %c = nn.gemm %a, %b {trans_a = "
       << (d.lhsTransposed ? "true" : "false")
       << ", trans_b = " << (d.rhsTransposed ? "true" : "false") << "} : (" << a
       << ", " << b << ") -> " << c << "\n"
       << "  return %c : " << c << "\n}\n";
    return text;
  }
  case KernelKind::BatchMatmul: {
    bool batched = d.batch != 1;
    auto shape = [&](int64_t x, int64_t y) {
      return batched ? tensorType({d.batch, x, y}) : tensorType({x, y});
    };
    std::string a = shape(d.m, d.k), b = shape(d.k, d.n), c = shape(d.m, d.n);
    os << "func.func @main(%a: " << a << ", %b: " << b << ") -> " << c << " {\n"
       << "  %c = nn.matmul %a, %b : (" << a << ", " << b << ") -> " << c
       << "\n  return %c : " << c << "\n}\n";
    return text;
  }
  case KernelKind::Attention: {
    if (d.mods != "none")
      return llvm::createStringError(
          "kernel '" + kernelKey(d) + "': attention with mods=" + d.mods +
          " cannot be measured alone (the key does not say which mods)");
    std::string q = tensorType({d.batch, d.heads, d.m, d.k});
    std::string k = tensorType({d.batch, d.kvHeads, d.n, d.k});
    std::string v = tensorType({d.batch, d.kvHeads, d.n, d.dv});
    std::string o = tensorType({d.batch, d.heads, d.m, d.dv});
    os << "func.func @main(%q: " << q << ", %k: " << k << ", %v: " << v
       << ") -> " << o << " {\n"
       << "  %o = attn.flex %q, %k, %v scale 0.125 : " << q << ", " << k << ", "
       << v << " -> " << o << "\n"
       << "  return %o : " << o << "\n}\n";
    return text;
  }
  }
  return text;
}

/// The input shapes of the kernel's graph at the concrete sizes.
static std::vector<std::vector<int64_t>> inputShapes(const KernelDesc &d) {
  switch (d.kind) {
  case KernelKind::Matmul:
    return {d.lhsTransposed ? std::vector<int64_t>{d.k, d.m}
                            : std::vector<int64_t>{d.m, d.k}};
  case KernelKind::BatchMatmul:
    if (d.batch == 1)
      return {{d.m, d.k}, {d.k, d.n}};
    return {{d.batch, d.m, d.k}, {d.batch, d.k, d.n}};
  case KernelKind::Attention:
    return {{d.batch, d.heads, d.m, d.k},
            {d.batch, d.kvHeads, d.n, d.k},
            {d.batch, d.kvHeads, d.n, d.dv}};
  }
  return {};
}

llvm::Error ddl::cost::writeRandomNpy(llvm::StringRef path,
                                      const std::vector<int64_t> &shape,
                                      unsigned seed) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  int64_t count = 1;
  for (int64_t size : shape) {
    header += std::to_string(size) + ", ";
    count *= size;
  }
  header += "), }";
  // Magic (6) + version (2) + length (2) + header, padded to 64 bytes.
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error)
    return llvm::createStringError("cannot write '" + path +
                                   "': " + error.message());
  os << "\x93NUMPY" << char(1) << char(0) << char(header.size() & 0xff)
     << char(header.size() >> 8) << header;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (int64_t i = 0; i < count; ++i) {
    float value = uniform(rng);
    os.write(reinterpret_cast<const char *>(&value), sizeof value);
  }
  return closeOutput(os, path);
}

namespace {
/// One child process's outcome.
struct ChildResult {
  int code = 0;
  bool timedOut = false, failedToStart = false;
  std::string output;
};
} // namespace

/// Runs `program args...` with stdout and stderr to `logPath`, for at most
/// `seconds`. (Not ExecuteAndWait's timeout: it is an alarm signal, which
/// threads waiting at once steal from each other; this polls.)
static ChildResult runChild(llvm::StringRef program,
                            const std::vector<std::string> &args,
                            llvm::StringRef logPath, unsigned seconds) {
  std::vector<llvm::StringRef> argv{program};
  for (const std::string &arg : args)
    argv.push_back(arg);
  std::optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), logPath,
                                                logPath};
  std::string message;
  bool failed = false;
  ChildResult result;
  llvm::sys::ProcessInfo child = llvm::sys::ExecuteNoWait(
      program, argv, std::nullopt, redirects, 0, &message, &failed);
  if (failed || child.Pid <= 0) {
    result.failedToStart = true;
    result.code = -1;
    result.output = message;
    return result;
  }
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (true) {
    llvm::sys::ProcessInfo done =
        llvm::sys::Wait(child, /*SecondsToWait=*/0, &message);
    if (done.Pid == child.Pid) {
      result.code = done.ReturnCode;
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child.Pid, SIGKILL);
      llvm::sys::Wait(child, std::nullopt, &message);
      result.timedOut = true;
      result.code = -2;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (auto buffer = llvm::MemoryBuffer::getFile(logPath))
    result.output = (*buffer)->getBuffer().str();
  if (result.output.empty())
    result.output = message;
  return result;
}

/// The last non-empty line of `text`.
static std::string lastLine(llvm::StringRef text) {
  llvm::SmallVector<llvm::StringRef> lines;
  text.trim().split(lines, '\n');
  return lines.empty() ? std::string() : lines.back().trim().str();
}

llvm::Expected<KernelMeasurer>
KernelMeasurer::create(const KernelDesc &kernel, const KernelDesc &concrete,
                       const MeasureOptions &options) {
  llvm::Expected<std::string> graph = kernelGraph(kernel);
  if (!graph)
    return graph.takeError();
  if (concrete.hasDynamicSize())
    return llvm::createStringError("kernel '" + kernelKey(kernel) +
                                   "': no size to measure it at");
  return createFromGraph(kernel, *graph, inputShapes(concrete), options);
}

llvm::Expected<KernelMeasurer>
KernelMeasurer::createFromGraph(const KernelDesc &kernel, llvm::StringRef graph,
                                const std::vector<std::vector<int64_t>> &shapes,
                                const MeasureOptions &options,
                                unsigned copies) {
  // Inputs of at most 2^28 floats (1 GiB) each: a bigger kernel is not
  // measured (a typo in a key should not fill the disk).
  for (const std::vector<int64_t> &shape : shapes) {
    double elements = 1;
    for (int64_t size : shape)
      elements *= double(size);
    if (elements > double(int64_t(1) << 28) || elements < 0)
      return llvm::createStringError(
          "kernel '" + kernelKey(kernel) +
          "': an input of more than 2^28 elements is not measured");
  }
  KernelMeasurer measurer;
  measurer.key = kernelKey(kernel);
  measurer.options = options;
  measurer.copies = std::max(1u, copies);
  static std::atomic<unsigned> kernels{0};
  measurer.stem = (options.workDir + "/k" + llvm::Twine(kernels++)).str();
  measurer.graphPath = measurer.stem + ".mlir";
  {
    std::error_code error;
    llvm::raw_fd_ostream os(measurer.graphPath, error);
    if (error)
      return llvm::createStringError("cannot write '" + measurer.graphPath +
                                     "': " + error.message());
    os << "// " << measurer.key << "\n" << graph;
  }
  unsigned seed = 1;
  for (const std::vector<int64_t> &shape : shapes) {
    std::string path = measurer.stem + "-in" + std::to_string(seed) + ".npy";
    if (llvm::Error error = writeRandomNpy(path, shape, seed++))
      return std::move(error);
    measurer.inputPaths.push_back(path);
  }
  return measurer;
}

std::vector<Measurement>
KernelMeasurer::measure(const std::vector<Schedule> &schedules,
                        unsigned rounds) {
  std::vector<Measurement> results(schedules.size());
  std::vector<std::string> objects(schedules.size());
  // Compile, `jobs` at a time.
  std::atomic<size_t> next{0};
  unsigned base = counter;
  counter += schedules.size();
  auto compile = [&] {
    for (size_t i; (i = next++) < schedules.size();) {
      std::string candidate = stem + "-c" + std::to_string(base + i);
      std::string records = candidate + ".sched";
      std::string record = key + " -> " + printSchedule(schedules[i]);
      {
        std::error_code error;
        llvm::raw_fd_ostream os(records, error);
        os << record << "\n";
      }
      objects[i] = candidate + ".so";
      ChildResult child =
          runChild(options.ddlc,
                   {graphPath, "--target=" + options.target, "--schedules",
                    records, "--print-schedules", "-o", objects[i]},
                   candidate + ".compile.log", options.timeoutSeconds);
      Measurement &m = results[i];
      if (child.timedOut) {
        m.status = "timeout";
        m.message =
            "ddlc ran past " + std::to_string(options.timeoutSeconds) + " s";
      } else if (child.code != 0 || child.failedToStart) {
        m.status = "compile-failed";
        m.message = lastLine(child.output);
      } else if (!llvm::StringRef(child.output).contains(record)) {
        // The kernel did not come out under its key: the record was not
        // used, and the timing would be the heuristic's.
        m.status = "compile-failed";
        m.message = "the graph's kernel is not '" + key + "'";
      }
    }
  };
  std::vector<std::thread> workers;
  size_t threads =
      std::min<size_t>(std::max(1u, options.jobs), schedules.size());
  for (size_t j = 1; j < threads; ++j)
    workers.emplace_back(compile);
  compile();
  for (std::thread &worker : workers)
    worker.join();
  // Time, one at a time; `rounds` passes over the candidates in turns,
  // each candidate's latency the median of its rounds' medians.
  std::vector<std::vector<double>> medians(schedules.size()),
      noises(schedules.size());
  for (unsigned round = 0; round < std::max(1u, rounds); ++round)
    for (size_t i = 0; i < schedules.size(); ++i) {
      Measurement &m = results[i];
      if (!m.ok())
        continue;
      std::vector<std::string> args{objects[i]};
      for (const std::string &input : inputPaths)
        args.insert(args.end(), {"--input", input});
      args.insert(args.end(), {"--benchmark", std::to_string(options.runs),
                               "--threads", std::to_string(options.threads)});
      ChildResult child =
          runChild(options.ddlRun, args, objects[i] + ".run.log",
                   options.timeoutSeconds);
      if (child.timedOut) {
        m.status = "timeout";
        m.message =
            "ddl-run ran past " + std::to_string(options.timeoutSeconds) + " s";
        continue;
      }
      llvm::StringRef out(child.output);
      size_t p50 = out.find(" p50 "), p90 = out.find(" p90 ");
      double median = 0, tail = 0;
      if (child.code != 0 || p50 == llvm::StringRef::npos ||
          p90 == llvm::StringRef::npos ||
          out.drop_front(p50 + 5).split(' ').first.getAsDouble(median) ||
          out.drop_front(p90 + 5).split(' ').first.getAsDouble(tail) ||
          median <= 0) {
        m.status = "run-failed";
        m.message = lastLine(child.output);
        continue;
      }
      medians[i].push_back(median);
      noises[i].push_back((tail - median) / median);
    }
  auto middle = [](std::vector<double> values) {
    std::nth_element(values.begin(), values.begin() + values.size() / 2,
                     values.end());
    return values[values.size() / 2];
  };
  for (size_t i = 0; i < schedules.size(); ++i) {
    llvm::sys::fs::remove(objects[i]);
    llvm::sys::fs::remove(objects[i].substr(0, objects[i].size() - 3) + ".h");
    if (results[i].ok() && !medians[i].empty()) {
      results[i].latencyMs = middle(medians[i]) / copies;
      results[i].noise = middle(noises[i]);
    }
  }
  return results;
}

llvm::Expected<Schedule> KernelMeasurer::defaultSchedule() {
  std::string object = stem + "-default.so";
  ChildResult child = runChild(
      options.ddlc,
      {graphPath, "--target=" + options.target, "--schedule-policy=heuristic",
       "--emit=llvm-dialect", "--print-schedules", "-o", "/dev/null"},
      stem + "-default.log", options.timeoutSeconds);
  if (child.code != 0)
    return llvm::createStringError("ddlc failed on the graph of '" + key +
                                   "': " + lastLine(child.output));
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(child.output).split(lines, '\n');
  for (llvm::StringRef line : lines) {
    auto [lineKey, schedule] = line.split(" -> ");
    if (lineKey.trim() == key)
      return parseSchedule(schedule);
  }
  return llvm::createStringError("the graph of '" + key +
                                 "' does not compile to that kernel");
}
