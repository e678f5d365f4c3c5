import AECLI
import AECore
import AEIO
import XCTest

/// How ae-fit picks the bottleneck among the sizes it tried.
final class LatentChoiceTests: XCTestCase {
    private func tried(_ pairs: [(Int, Double)]) -> [LatentChoice.Candidate] {
        pairs.map { LatentChoice.Candidate(latent: $0.0, validationLoss: $0.1) }
    }

    func testAnAEWidensOnlyForAGainOfAFifth() {
        // 2 → 4 cuts the loss by 90%, 4 → 8 by 10%: 4.
        XCTAssertEqual(LatentChoice.choose(kind: .ae, among: tried([(2, 1.0), (4, 0.1), (8, 0.09)])), 4)
        // No wider size gains a fifth: the narrowest.
        XCTAssertEqual(LatentChoice.choose(kind: .ae, among: tried([(2, 1.0), (4, 0.85), (8, 0.81)])), 2)
        // An under-trained middle size does not hide a wider one that gains.
        XCTAssertEqual(LatentChoice.choose(kind: .ae, among: tried([(1, 0.135), (2, 0.186), (4, 0.077)])), 4)
    }

    func testAVAEKeepsTheNarrowestWithinOnePercentOfTheLowestLoss() {
        XCTAssertEqual(LatentChoice.choose(kind: .vae, among: tried([(3, 11.85), (7, 11.37), (14, 11.34)])), 7)
        XCTAssertEqual(LatentChoice.choose(kind: .vae, among: tried([(3, 11.0), (7, 11.5), (14, 12.0)])), 3)
        XCTAssertEqual(LatentChoice.choose(kind: .vae, among: tried([(3, 12.0), (7, 11.9), (14, 10.0)])), 14)
    }

    func testCandidatesAreHalfOnceAndTwiceTheDefaultBelowTheWidth() {
        XCTAssertEqual(LatentChoice.candidates(kind: .ae, inputWidth: 12), [1, 2, 4])
        XCTAssertEqual(LatentChoice.candidates(kind: .vae, inputWidth: 21), [3, 7, 14])
        XCTAssertEqual(LatentChoice.candidates(kind: .ae, inputWidth: 784), [16, 32])
        XCTAssertEqual(LatentChoice.candidates(kind: .ae, inputWidth: 3), [1, 2])
        XCTAssertEqual(LatentChoice.candidates(kind: .ae, inputWidth: 1), [1])
    }
}
