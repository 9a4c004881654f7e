import Datasets
import Language
import Simulation
import Tensors

/// The retinotopy sequences, the localiser set and the real image sets of the `stimuli` module.
enum StimulusSequenceLibrary {
    static let sequenceResult = "→ {frames [t, size, size, 3] float32 (checkerboard inside the aperture, gray 0.5 "
        + "outside; contrast reverses each frame), apertures [t, size, size] float32 (1 inside), times [t] (onsets, "
        + "seconds), frame_duration, field_radius (degrees at the frame's edge), kind, parameters (table, one row per "
        + "frame)}. Pixel (i, j) is at x = ((j + 0.5)/size·2 − 1)·field_radius, y = (1 − (i + 0.5)/size·2)·field_radius."

    static func install(_ context: BindingContext, into members: inout [(String, Value)]) {
        typealias Library = StimulusLibrary
        members.append(("wedges", context.function(
            "stimuli.wedges",
            "wedges(size=64, frames_per_cycle=16, cycles=2, width=45, start=90, clockwise=false, frame_duration=1, field_radius=10)",
            "Rotating-wedge polar-angle mapping: a wedge of width degrees steps 360/frames_per_cycle degrees per frame from "
            + "start (degrees counter-clockwise from the right horizontal meridian); with width = 360/frames_per_cycle "
            + "each angle is covered once per cycle. parameters: cycle, angle (wedge centre). " + sequenceResult
            + "\nErrors: frames_per_cycle < 2, cycles < 1, width outside (0, 360], non-positive frame_duration or "
            + "field_radius, size outside 8...1024.") { arguments in
            Library.sequenceRecord(try Stimuli.wedges(
                size: try arguments.optionalInteger(0, "size") ?? 64,
                framesPerCycle: try arguments.optionalInteger(1, "frames_per_cycle") ?? 16,
                cycles: try arguments.optionalInteger(2, "cycles") ?? 2, width: try arguments.optionalNumber(3, "width") ?? 45,
                startAngle: try arguments.optionalNumber(4, "start") ?? 90,
                clockwise: try arguments.optionalBool(5, "clockwise") ?? false,
                frameDuration: try arguments.optionalNumber(6, "frame_duration") ?? 1,
                fieldRadius: try arguments.optionalNumber(7, "field_radius") ?? 10), context)
        }))
        members.append(("rings", context.function(
            "stimuli.rings",
            "rings(size=64, frames_per_cycle=16, cycles=2, width=0.125, expanding=true, frame_duration=1, field_radius=10)",
            "Expanding (or contracting) ring eccentricity mapping: a ring of width (a fraction of the field radius) moves "
            + "1/frames_per_cycle of the radius per frame and wraps to fixation; with width = 1/frames_per_cycle each "
            + "eccentricity is covered once per cycle. parameters: cycle, eccentricity (inner edge, degrees). "
            + sequenceResult + "\nErrors: frames_per_cycle < 2, cycles < 1, width outside (0, 1], non-positive "
            + "frame_duration or field_radius, size outside 8...1024.") { arguments in
            Library.sequenceRecord(try Stimuli.rings(
                size: try arguments.optionalInteger(0, "size") ?? 64,
                framesPerCycle: try arguments.optionalInteger(1, "frames_per_cycle") ?? 16,
                cycles: try arguments.optionalInteger(2, "cycles") ?? 2,
                width: try arguments.optionalNumber(3, "width") ?? 0.125,
                expanding: try arguments.optionalBool(4, "expanding") ?? true,
                frameDuration: try arguments.optionalNumber(5, "frame_duration") ?? 1,
                fieldRadius: try arguments.optionalNumber(6, "field_radius") ?? 10), context)
        }))
        members.append(("bars", context.function(
            "stimuli.bars",
            "bars(size=64, directions=[0, 45, 90, 135, 180, 225, 270, 315], steps=16, width=0.25, blanks=0, frame_duration=1, field_radius=10)",
            "Sweeping bars (Dumoulin & Wandell 2008): a bar of width (a fraction of the field radius) crosses the field "
            + "in each motion direction (degrees counter-clockwise from rightward) in steps frames, each sweep followed "
            + "by blanks frames of mean gray. parameters: sweep, direction, position (bar centre, degrees; nan when "
            + "blank). " + sequenceResult + "\nErrors: no directions, steps < 2, steps that move the bar further than its width "
            + "(part of the field never stimulated), blanks < 0, width outside (0, 2], "
            + "non-positive frame_duration or field_radius, size outside 8...1024.") { arguments in
            var directions = [0.0, 45, 90, 135, 180, 225, 270, 315]
            if let given = arguments.optional(1, "directions"), !given.isNil {
                directions = try Library.numbers(arguments, 1, "directions", default: 0, count: nil)
            }
            return Library.sequenceRecord(try Stimuli.bars(
                size: try arguments.optionalInteger(0, "size") ?? 64, directions: directions,
                stepsPerSweep: try arguments.optionalInteger(2, "steps") ?? 16,
                width: try arguments.optionalNumber(3, "width") ?? 0.25,
                blankFrames: try arguments.optionalInteger(4, "blanks") ?? 0,
                frameDuration: try arguments.optionalNumber(5, "frame_duration") ?? 1,
                fieldRadius: try arguments.optionalNumber(6, "field_radius") ?? 10), context)
        }))
        members.append(("localizer", context.function(
            "stimuli.localizer", "localizer(per_category=10, size=64, seed=0)",
            "The category localiser's stimuli: per_category faces, places, bodies, words, objects and phase-scrambled "
            + "images (of further images of the five categories), in that order → {images [6·per_category, size, size, "
            + "3], labels [n] (0…5), categories (the six names; categories[labels[i]] is image i's), metadata (table: "
            + "category, label, kind)}.\nErrors: per_category < 1, size outside 8...1024, seed < 0.") { arguments in
            let set = try Stimuli.localizerSet(perCategory: try arguments.optionalInteger(0, "per_category") ?? 10,
                                               size: try arguments.optionalInteger(1, "size") ?? 64,
                                               seed: try Library.seed(arguments, 2))
            return .makeRecord([
                ("images", context.wrap(set.stimuli)),
                ("labels", context.wrap(try set.metadata["label"].numbers!.astype(.int64))),
                ("categories", Library.strings(Stimuli.localizerCategories)),
                ("metadata", .native(TableObject(set.metadata, context: context))),
            ])
        }))
        members.append(("lfw", context.function(
            "stimuli.lfw", "lfw(path=nil, size=nil)",
            "The 100 face and 100 non-face 25 × 25 patches of the LFW subset (scikit-image) from path (default "
            + "../shared/data/lfw_faces/lfw_subset.npy, relative to the current folder), gray repeated on 3 channels, "
            + "resized to size × size when given → {images [200, s, s, 3] float32, labels [200] (1 face, 0 non-face), "
            + "categories, metadata}.\nErrors: the file is absent (its path is named), not [n, h, w] with n even.") {
            arguments in
            let set = try Stimuli.lfwFaces(path: try arguments.optionalString(0, "path") ?? Stimuli.lfwDefaultPath,
                                           size: try arguments.optionalInteger(1, "size"))
            return .makeRecord([
                ("images", context.wrap(set.stimuli)),
                ("labels", context.wrap(try set.metadata["label"].numbers!.astype(.int64))),
                ("categories", Library.strings(try set.metadata["category"].strings ?? [])),
                ("metadata", .native(TableObject(set.metadata, context: context))),
            ])
        }))
        members.append(("kriegeskorte92", context.function(
            "stimuli.kriegeskorte92", "kriegeskorte92(folder=nil, size=nil)",
            "The 92 images of Kriegeskorte et al. (2008) from folder/k92.h5 (default ../shared/data/kriegeskorte92, "
            + "relative to the current folder), resized to size × size when given → {images [92, s, s, 3] float32, "
            + "categories (human face, human body, animal face, animal body, natural object, artificial object), "
            + "category_vectors [92, 12] (0/1), category_names (animate, inanim, human, nonhumani, body, face, natObj, "
            + "artiObj, rand24, rand48, other48, monkeyape), metadata}. The RDMs are in the same file: "
            + "h5.open(folder + \"/k92.h5\").\nErrors: k92.h5 is absent (its path is named) or has another layout.") {
            arguments in
            let set = try Stimuli.kriegeskorte92(
                folder: try arguments.optionalString(0, "folder") ?? Stimuli.kriegeskorte92DefaultFolder,
                size: try arguments.optionalInteger(1, "size"))
            let names = Array(set.metadata.columns.dropFirst(3))
            let vectors = try Tensor.stack(try names.map { try set.metadata[$0].numbers! }, axis: 1)
            return .makeRecord([
                ("images", context.wrap(set.stimuli)),
                ("categories", Library.strings(try set.metadata["category"].strings ?? [])),
                ("category_vectors", context.wrap(vectors)),
                ("category_names", Library.strings(names)),
                ("metadata", .native(TableObject(set.metadata, context: context))),
            ])
        }))
    }
}
