// timemory::encode / decode: results in a compact binary form for MPI_Gatherv.
#include <cstring>
#include <optional>
#include <stdexcept>

#include "graph/report_input.hpp"
#include "timemory/timemory.hpp"

namespace timemory {

namespace {

constexpr uint32_t magic = 0x544d5234; // "TMR4"

class writer {
public:
    template <typename T>
    void put(T v) {
        out_.append(reinterpret_cast<const char*>(&v), sizeof(T));
    }
    void put(std::string_view s) {
        put(uint32_t(s.size()));
        out_.append(s);
    }
    void put(const std::string& s) { put(std::string_view(s)); }
    void put(const stats& s) {
        for (double v : {s.sum, s.mean, s.min, s.max, s.stddev})
            put(v);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

class reader {
public:
    explicit reader(const std::string& in) : in_(in) {}
    template <typename T>
    T get() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, in_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    std::string str() {
        uint32_t n = get<uint32_t>();
        need(n);
        std::string s = in_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    size_t left() const { return in_.size() - pos_; }
    stats st() {
        stats s;
        s.sum = get<double>();
        s.mean = get<double>();
        s.min = get<double>();
        s.max = get<double>();
        s.stddev = get<double>();
        return s;
    }

private:
    void need(size_t n) {
        if (pos_ + n > in_.size())
            throw std::runtime_error("timemory result buffer truncated at byte " +
                                     std::to_string(pos_) + " of " + std::to_string(in_.size()));
    }
    const std::string& in_;
    size_t pos_ = 0;
};

} // namespace

namespace rt {

std::string encode_report(const report_input& in, std::optional<int> rank) {
    writer w;
    w.put(magic);
    const std::vector<component_info>& comps = in.components();
    w.put(uint32_t(comps.size()));
    for (const auto& c : comps) {
        w.put(c.id);
        w.put(c.label);
        w.put(c.description);
        w.put(c.kind);
        w.put(c.units);
        w.put(c.unit_value);
        w.put(c.group);
    }
    w.put(uint64_t(in.size()));
    for (size_t i = 0; i < in.size(); ++i) {
        const node_view n = in.node(i);
        w.put(n.name);
        w.put(n.linkage);
        w.put(n.file);
        w.put(uint32_t(n.line));
        w.put(int32_t(n.language));
        w.put(uint8_t(n.throttled));
        w.put(int64_t(n.parent));
        w.put(int32_t(n.depth));
        w.put(uint64_t(n.count));
        w.put(uint64_t(n.untimed));
        w.put(uint32_t(n.estimated.size()));
        for (double e : n.estimated)
            w.put(e);
        w.put(n.hash);
        w.put(n.rolling_hash);
        w.put(int64_t(n.tid));
        w.put(uint32_t(n.threads));
        w.put(int32_t(n.pid));
        w.put(int32_t(rank ? *rank : n.rank));
        w.put(n.start_ns);
        for (const auto& s : n.inclusive)
            w.put(s);
        for (const auto& s : n.exclusive)
            w.put(s);
    }
    return w.take();
}

} // namespace rt

std::string encode(const result& r) {
    return rt::encode_report(rt::result_input(r), std::nullopt);
}

result decode(const std::string& bytes) {
    reader rd(bytes);
    if (rd.get<uint32_t>() != magic)
        throw std::runtime_error("not a timemory result buffer (wrong magic number)");
    result r;
    uint32_t nc = rd.get<uint32_t>();
    // A bundle holds a few dozen values at most (every component and 32 PAPI events).
    if (nc > 1024)
        throw std::runtime_error("timemory result buffer: " + std::to_string(nc) +
                                 " components is not plausible");
    for (uint32_t i = 0; i < nc; ++i) {
        component_info c;
        c.id = rd.str();
        c.label = rd.str();
        c.description = rd.str();
        c.kind = rd.str();
        c.units = rd.str();
        c.unit_value = rd.get<double>();
        c.group = rd.str();
        r.components.push_back(std::move(c));
    }
    uint64_t nn = rd.get<uint64_t>();
    // Every node takes more than a byte: a larger count is a corrupt buffer, not a reason
    // to reserve memory for it.
    if (nn > bytes.size())
        throw std::runtime_error("timemory result buffer: " + std::to_string(nn) + " nodes in " +
                                 std::to_string(bytes.size()) + " bytes");
    for (uint64_t i = 0; i < nn; ++i) {
        result_node n;
        n.name = rd.str();
        n.linkage = rd.str();
        n.file = rd.str();
        n.line = rd.get<uint32_t>();
        n.language = rd.get<int32_t>();
        const uint8_t throttled = rd.get<uint8_t>();
        if (throttled > 1)
            throw std::runtime_error("timemory result buffer: node " + std::to_string(i) +
                                     " has an invalid flag");
        n.throttled = throttled != 0;
        n.parent = rd.get<int64_t>();
        n.depth = rd.get<int32_t>();
        n.count = rd.get<uint64_t>();
        n.untimed = rd.get<uint64_t>();
        uint32_t ne = rd.get<uint32_t>();
        if (ne != 0 && ne != nc)
            throw std::runtime_error("timemory result buffer: node " + std::to_string(i) +
                                     " has a bad estimate count");
        for (uint32_t e = 0; e < ne; ++e)
            n.estimated.push_back(rd.get<double>());
        n.hash = rd.get<uint64_t>();
        n.rolling_hash = rd.get<uint64_t>();
        n.tid = rd.get<int64_t>();
        n.threads = rd.get<uint32_t>();
        n.pid = rd.get<int32_t>();
        n.rank = rd.get<int32_t>();
        n.start_ns = rd.get<double>();
        for (uint32_t c = 0; c < nc; ++c)
            n.inclusive.push_back(rd.st());
        for (uint32_t c = 0; c < nc; ++c)
            n.exclusive.push_back(rd.st());
        if (n.parent >= int64_t(i) || n.parent < -1)
            throw std::runtime_error("timemory result buffer: node " + std::to_string(i) +
                                     " has an invalid parent");
        // Depth follows from the parent: the writers indent by it and must not be misled.
        const int expected = n.parent < 0 ? 0 : r.nodes[size_t(n.parent)].depth + 1;
        if (n.depth != expected)
            throw std::runtime_error("timemory result buffer: node " + std::to_string(i) +
                                     " has depth " + std::to_string(n.depth) + ", expected " +
                                     std::to_string(expected));
        if (n.language < 0 || n.language > 15 || n.untimed > n.count)
            throw std::runtime_error("timemory result buffer: node " + std::to_string(i) +
                                     " has invalid fields");
        if (n.parent >= 0) r.nodes[size_t(n.parent)].children.push_back(size_t(i));
        r.nodes.push_back(std::move(n));
    }
    // Bytes after the last node: a buffer of another version, or two run together.
    if (rd.left() != 0)
        throw std::runtime_error("timemory result buffer: " + std::to_string(rd.left()) +
                                 " bytes after the last node");
    return r;
}

} // namespace timemory
