import AECore
import CHDF5

/// The names an HDF5 iteration hands to its C callback, gathered through
/// the callback's context pointer.
final class HDF5NameCollector {
    var names: [String] = []

    var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func add(_ name: UnsafePointer<CChar>?, to context: UnsafeMutableRawPointer?) -> herr_t {
        guard let name, let context else { return -1 }
        Unmanaged<HDF5NameCollector>.fromOpaque(context).takeUnretainedValue().names.append(String(cString: name))
        return 0
    }
}

/// Groups and object lookup: the tree that the model file is organised in.
extension HDF5File {
    public enum ObjectKind {
        case group, dataset, other
    }

    /// Creates the group at `path` with any missing parent groups; a group
    /// that already exists is left as it is.
    public func createGroup(_ path: String) throws {
        silenceHDF5Diagnostics()
        switch objectKind(path) {
        case .group: return
        case .dataset, .other: throw error("cannot create group '\(path)': a dataset of that name exists")
        case nil: break
        }
        let linkCreation = try linkCreationList()
        defer { H5Pclose(linkCreation) }
        let group = H5Gcreate2(handle, path, linkCreation, ae_h5p_default(), ae_h5p_default())
        guard group >= 0 else { throw failure("cannot create group '\(path)'") }
        H5Gclose(group)
    }

    /// Whether a group or dataset exists at `path` (absolute, or relative to
    /// the root).
    public func exists(_ path: String) -> Bool {
        silenceHDF5Diagnostics()
        let components = path.split(separator: "/")
        var prefix = ""
        // H5Lexists fails rather than answering false when a parent group is
        // missing, so each level is checked on its own.
        for component in components {
            prefix += "/" + component
            guard H5Lexists(handle, prefix, ae_h5p_default()) > 0 else { return false }
        }
        return components.isEmpty || H5Oexists_by_name(handle, prefix, ae_h5p_default()) > 0
    }

    /// The names of the links in the group at `path`, sorted by name.
    public func memberNames(ofGroup path: String = "/") throws -> [String] {
        silenceHDF5Diagnostics()
        switch objectKind(path) {
        case .group: break
        case .dataset, .other: throw error("'\(path)' is not a group")
        case nil: throw error("no group '\(path)'")
        }
        // Iteration rather than H5Lget_name_by_idx: on some damaged groups
        // the latter frees a bad pointer inside HDF5 1.10 and crashes.
        let collector = HDF5NameCollector()
        let status = H5Literate_by_name(handle, path, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, context in
            HDF5NameCollector.add(name, to: context)
        }, collector.context, ae_h5p_default())
        guard status >= 0 else { throw failure("cannot list group '\(path)'") }
        return collector.names
    }

    /// What sits at `path`, or nil when nothing does.
    public func objectKind(_ path: String) -> ObjectKind? {
        guard exists(path) else { return nil }
        let object = H5Oopen(handle, path, ae_h5p_default())
        guard object >= 0 else { return nil }
        defer { H5Oclose(object) }
        switch H5Iget_type(object) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return .other
        }
    }

    /// The paths of up to `limit` datasets in the file, breadth first, for
    /// messages that say what the file holds instead. The walk is bounded by
    /// hand: HDF5's own recursive visit loops forever on a damaged file whose
    /// group links back to itself.
    func datasetPaths(limit: Int) -> (paths: [String], more: Bool) {
        let maxGroups = 256
        var groups = [""]
        var visited = 0
        var paths: [String] = []
        while visited < groups.count, visited < maxGroups {
            let group = groups[visited]
            visited += 1
            for name in (try? memberNames(ofGroup: group.isEmpty ? "/" : group)) ?? [] {
                let path = group.isEmpty ? name : group + "/" + name
                switch objectKind(path) {
                case .dataset:
                    guard paths.count < limit else { return (paths, true) }
                    paths.append(path)
                case .group:
                    groups.append(path)
                case .other, nil:
                    break
                }
            }
        }
        return (paths, false)
    }

    /// Link creation that makes missing parent groups and stores names as
    /// UTF-8, so h5py shows them as `str`.
    func linkCreationList() throws -> hid_t {
        let list = H5Pcreate(ae_h5p_link_create())
        guard list >= 0,
              H5Pset_create_intermediate_group(list, 1) >= 0,
              H5Pset_char_encoding(list, H5T_CSET_UTF8) >= 0
        else {
            if list >= 0 { H5Pclose(list) }
            throw failure("cannot set up HDF5 link creation")
        }
        return list
    }
}
