import Testing
import Tensors
@testable import Simulation

@Suite struct SubjectErrorTests {
    let subject = SubjectFixtures.subject
    let images = SubjectFixtures.images(3)

    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "no error"
    }

    @Test func measurementErrorsNameTheOperationAndValue() throws {
        #expect(message { _ = try subject.fmri(images, noise: -1) } == "VirtualSubject.fmri: noise must be >= 0, got -1.0")
        #expect(message { _ = try subject.fmri(images, repeats: 0) } == "VirtualSubject.fmri: repeats must be >= 1, got 0")
        #expect(message { _ = try subject.fmri(try Tensor.zeros([3, 4])) }
                == "VirtualSubject.fmri: images must be [n, height, width, channels] with 1, 3 or 4 channels, got shape [3, 4]")
        #expect(message { _ = try subject.fmri(try Tensor.zeros([2, 8, 8, 2])) }
                == "VirtualSubject.fmri: images must be [n, height, width, channels] with 1, 3 or 4 channels, got shape [2, 8, 8, 2]")
        #expect(message { _ = try subject.fmri(try Tensor.zeros([0, 8, 8, 1])) } == "VirtualSubject.fmri: no images: got shape [0, 8, 8, 1]")
        #expect(message { _ = try subject.fmri(try Tensor.zeros([1, 2, 8, 1])) }
                == "VirtualSubject.fmri: images must be at least 4 × 4 pixels, got shape [1, 2, 8, 1]")
        #expect(message { _ = try subject.fmri(try Tensor.full([1, 8, 8, 1], value: .nan)) }
                == "VirtualSubject.fmri: images contain non-finite values")
        #expect(message { _ = try subject.fmri(images, labels: [.faces, nil]) }
                == "VirtualSubject.fmri: labels has 2 entries for 3 images")
        #expect(message { _ = try subject.meg(images, noise: .infinity) } == "VirtualSubject.meg: noise must be >= 0, got inf")
        #expect(message { _ = try subject.meg(images, start: 0.2, end: 0.1) }
                == "VirtualSubject.meg: end (0.1) must be after start (0.2)")
        #expect(message { _ = try subject.meg(images, sensors: 2) } == "VirtualSubject.meg: needs at least 3 sensors, got 2")
        #expect(message { _ = try subject.meg(images, samplingRate: 0) } == "VirtualSubject.meg: samplingRate must be > 0, got 0.0")
    }

    @Test func timeSeriesErrors() throws {
        let amplitudes = try Tensor.zeros([2, 400])
        let operation = "VirtualSubject.fmri_timeseries"
        #expect(message { _ = try subject.fmriTimeSeries(eventResponses: amplitudes, onsets: [0, 1], durations: [1, 1], tr: 0) }
                == "\(operation): tr must be > 0, got 0.0")
        #expect(message { _ = try subject.fmriTimeSeries(eventResponses: amplitudes, onsets: [0], durations: [1, 1], tr: 1) }
                == "\(operation): 2 events need as many onsets and durations, got 1 onsets and 2 durations")
        #expect(message { _ = try subject.fmriTimeSeries(eventResponses: amplitudes, onsets: [0, -1], durations: [1, 1], tr: 1) }
                == "\(operation): onsets must be finite and >= 0, got -1.0")
        #expect(message { _ = try subject.fmriTimeSeries(eventResponses: amplitudes, onsets: [0, 1], durations: [1, 0], tr: 1) }
                == "\(operation): durations must be finite and > 0, got 0.0")
        #expect(message { _ = try subject.fmriTimeSeries(eventResponses: amplitudes, onsets: [0, 1], durations: [1, 1], tr: 1,
                                                         autocorrelation: 1) }
                == "\(operation): autocorrelation must be in (-1, 1), got 1.0")
        #expect(message { _ = try subject.fmriTimeSeries(eventResponses: try Tensor.zeros([2, 7]), onsets: [0, 1],
                                                         durations: [1, 1], tr: 1) }
                == "\(operation): event responses must be [events, 400], got shape [2, 7]")
        #expect(message { _ = try subject.fmriTimeSeries(images, onsets: [0, 1, 2], durations: [1, 1, 1], tr: 1, noise: -2) }
                == "\(operation): noise must be >= 0, got -2.0")
    }

    @Test func constructionAndNameErrors() {
        #expect(message { _ = try subject.cortex.vertices(in: "V9") }
                == "VirtualCortex.region: unknown region \"V9\": use V1, V2, V4, LO, FFA, PPA, EBA, VWFA, IFJ, PFC")
        #expect(message { _ = try SelectivityCategory.named("tools", operation: "virtual_subject.fmri") }
                == "virtual_subject.fmri: unknown category \"tools\": use faces, places, bodies, words, objects")
        #expect(message { _ = try VirtualSubject(vertices: 50) }
                == "VirtualCortex: needs at least 200 vertices (every region in both hemispheres), got 50")
        #expect(message { _ = try VirtualSubject(index: -1) } == "VirtualSubject: index must be >= 0, got -1")
        #expect(message { _ = try VirtualSubject(vertices: 400, fieldOfView: 0) }
                == "VirtualCortex: fieldOfView must be in (0, 180) degrees, got 0.0")
        #expect(message { _ = try FeatureBank(resolution: 30) } == "FeatureBank: resolution must be a multiple of 4 in 48...256, got 30")
        #expect(message { _ = try VirtualSubject.cohort(0) } == "VirtualSubject.cohort: count must be >= 1, got 0")
        #expect(message { _ = try HemodynamicResponse(ratio: 1) }.hasPrefix("HemodynamicResponse: delays and dispersions must be > 0"))
    }
}
