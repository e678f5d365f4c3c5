import AECore
import AEIO
import Foundation
import XCTest

/// PNG images as input, through the tools: a folder trains a model that keeps
/// the images' shape, every tool that reads data rows names each image in
/// member `file`, and what ae-decode draws reads back as the rows it drew.
final class ImageInputTests: ScratchDirectoryTestCase {
    override class var planeRows: Int { 0 }

    private static let shape = "4x6x3"
    private static let count = 24

    /// `count` RGB images of 4x6 pixels in images/, drawn by ae-decode from
    /// rows.ndjson, whose values are bytes over 255 (what a PNG holds).
    override func setUpWithError() throws {
        try super.setUpWithError()
        var generator = SeededGenerator(seed: 5)
        let rows = (0..<Self.count).map { k in
            let values = (0..<72).map { j in Float((j * 3 + k * 11 + Int.random(in: 0...40, using: &generator)) % 256) / 255 }
            return "{\"n\":\(k),\"x\":[\(values.map { "\($0)" }.joined(separator: ","))]}"
        }
        try (rows.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("rows.ndjson"), atomically: false, encoding: .utf8)
        try succeed("""
            mkdir images && for k in $(seq -w 1 \(Self.count)); do
              sed -n "$((10#$k))p" rows.ndjson | ae-decode --no-decode --shape \(Self.shape) --pad 0 --value-range 0:1 -o images/$k.png
            done
            """)
    }

    func testAFolderTrainsAModelThatKeepsTheImageShapeAndEveryToolNamesTheImages() throws {
        try ToolRunner.requireJq()
        try succeed("ae-fit images/ -o m.h5 --hidden 16 --latent 2 --epochs 2 --quiet")
        XCTAssertEqual(try succeed("ae-info m.h5 --json | jq -c .image_shape").stdoutText, "[4,6,3]\n")
        let files = (1...Self.count).map { String(format: "images/%02d.png", $0) }
        let encoded = try succeed("ae-encode m.h5 images/ | tail -n +2 | jq -r .file").stdoutLines
        XCTAssertEqual(encoded, files)
        XCTAssertEqual(try succeed("ae-score m.h5 images/ | jq -r .file").stdoutLines, files)
        XCTAssertEqual(try succeed("ae-score m.h5 images/ --format csv | cut -d, -f1 | head -2").stdoutLines, ["file", files[0]])
        // A folder is never taken for the model, even first of several arguments.
        XCTAssertEqual(try succeed("AE_MODEL=m.h5 ae-score images/ images/01.png | jq -r .file | tail -1").stdoutText, "images/01.png\n")
        XCTAssertEqual(try succeed("ae-score m.h5 < images/03.png | jq -c .file").stdoutText, "null\n")

        // ae-decode draws RGB grids in the shape the model keeps: 5 across
        // (ceil(sqrt(24))), 5 down, 2 pixels apart.
        try succeed("ae-encode m.h5 images/ | ae-decode -o grid.png")
        let grid = try PixelImage(pngFile: directory.appendingPathComponent("grid.png").path)
        XCTAssertEqual([grid.width, grid.height, grid.channels], [5 * 6 + 6 * 2, 5 * 4 + 6 * 2, 3])
    }

    /// Images of another shape that holds as many values (6x4 RGB for a
    /// 4x6 RGB model) are refused, naming the image and both shapes; and a
    /// convolutional model trains and scores on the folder.
    func testImagesOfAnotherShapeAreRefusedAndConvolutionsTrainOnAFolder() throws {
        try succeed("ae-fit images/ -o m.h5 --hidden 16 --latent 2 --epochs 2 --quiet")
        try succeed("mkdir turned && head -1 rows.ndjson | ae-decode --no-decode --shape 6x4x3 --pad 0 --value-range 0:1 -o turned/a.png")
        let refused = try run("ae-score m.h5 turned/")
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "ae-score: turned/a.png: a 6x4 RGB image; the model was trained on 4x6 RGB images\n")
        try succeed("ae-fit images/ -o conv.h5 --kind vae --conv 3 --latent 2 --epochs 2 --quiet")
        XCTAssertEqual(try succeed("ae-score conv.h5 images/").stdoutLines.count, Self.count)
    }

    /// Rows drawn by ae-decode and read back from its PNGs are the rows
    /// themselves: a model's codes for both are the same bytes.
    func testWhatAeDecodeDrawsReadsBackAsTheRowsItDrew() throws {
        try ToolRunner.requireJq()
        try succeed("ae-fit rows.ndjson -o m.h5 --hidden 16 --latent 3 --epochs 2 --quiet")
        let fromRows = try succeed("ae-encode m.h5 rows.ndjson --no-header | jq -c .z").stdoutText
        let fromImages = try succeed("ae-encode m.h5 images/ --no-header | jq -c .z").stdoutText
        XCTAssertEqual(fromImages, fromRows)
        XCTAssertEqual(fromRows.split(separator: "\n").count, Self.count)
        // And the images drawn again as they are are the same pixels.
        try succeed("ae-decode --no-decode images/ --pad 0 --cols 1 -o sheet.png && ae-decode --no-decode rows.ndjson --shape \(Self.shape) --pad 0 --cols 1 --value-range 0:1 -o again.png")
        let sheet = try PixelImage(pngFile: directory.appendingPathComponent("sheet.png").path)
        XCTAssertEqual(sheet, try PixelImage(pngFile: directory.appendingPathComponent("again.png").path))
        XCTAssertEqual([sheet.width, sheet.height], [6, 4 * Self.count])
    }

    /// What PIL writes (RGBA, a palette, 16-bit grey) reads as numpy gives
    /// it: `np.asarray(image.convert("RGB")) / 255` in float32, and a 16-bit
    /// image's samples over 65535.
    func testPILsImagesReadAsNumpyGivesThem() throws {
        let report = try ToolRunner.python(
            """
            import json, os, subprocess
            import numpy as np
            from PIL import Image
            rng = np.random.default_rng(2)
            os.mkdir("pil")
            colours = rng.integers(0, 256, (3, 5, 4), dtype=np.uint8)
            Image.fromarray(colours, "RGBA").save("pil/a.png")
            Image.fromarray(colours[:, :, :3], "RGB").convert("P", palette=Image.ADAPTIVE, colors=8).save("pil/b.png")
            expected = [np.asarray(Image.open(f"pil/{n}.png").convert("RGB"), dtype=np.float32) / np.float32(255) for n in "ab"]
            Image.fromarray(rng.integers(0, 65536, (3, 5), dtype=np.uint16)).save("grey16.png")
            deep = np.asarray(Image.open("grey16.png"), dtype=np.float32) / np.float32(65535)
            subprocess.run("ae-fit pil/ -o rgb.h5 --epochs 1 --quiet && ae-fit grey16.png grey16.png -o grey.h5 --epochs 1 --quiet",
                           shell=True, check=True)
            def values(command):
                out = subprocess.run(command, shell=True, check=True, capture_output=True, text=True).stdout
                return [np.array(json.loads(line)["x"], dtype=np.float32) for line in out.splitlines()]
            got = values("ae-score rgb.h5 pil/ --keep --no-header")
            print([bool((g == e.ravel()).all()) for g, e in zip(got, expected)], len(got))
            print(bool((values("ae-score grey.h5 grey16.png --keep --no-header")[0] == deep.ravel()).all()))
            """, needs: ["PIL", "numpy"], in: directory)
        XCTAssertEqual(report, "[True, True] 2\nTrue\n")
    }
}
