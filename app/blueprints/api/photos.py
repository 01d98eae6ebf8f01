"""Photos (现场照片): uploaded once per client_id, served only within the record's scope."""

from flask import make_response, request
from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.schemas.photo import PhotoFileSchema, PhotoSchema, PhotoUploadSchema
from app.services import photos as photo_service

URL = "/photos"
blp = protected_blueprint("api_photos", __name__, "Photos (现场照片)")
# A stored photo never changes (a new one gets a new id): browsers may keep it, shared caches may not.
CACHE = "private, max-age=86400, immutable"


@blp.route("")
class Photos(MethodView):
    @authorize("upload", "photo")
    @blp.arguments(PhotoUploadSchema, location="form")
    @blp.arguments(PhotoFileSchema, location="files")
    @blp.response(201, PhotoSchema)
    @blp.alt_response(
        200, schema=PhotoSchema, description="The same client_id again: the first photo"
    )
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
    def post(self, form, files):
        """Upload a JPEG, PNG or WebP photo (multipart `file`, `client_id`); stored re-encoded, without EXIF."""
        data = photo_service.read_upload(files["file"].stream)
        photo, created = photo_service.upload_photo(current_user, form["client_id"], data)
        return photo, 201 if created else 200


@blp.route("/<int:photo_id>")
@authorize("read", "photo")
@blp.response(200, content_type="image/jpeg", description="The image, EXIF removed")
def get_photo(photo_id):
    """The image, to its uploader and to those who may read the record it belongs to (404 else)."""
    photo = photo_service.get_photo(current_user, photo_id)
    response = make_response(photo_service.photo_bytes(photo))
    response.headers["Content-Type"] = photo.content_type
    response.headers["Cache-Control"] = CACHE
    response.headers["Vary"] = "Cookie, Authorization"
    response.set_etag(photo.key.replace("/", "-"))
    return response.make_conditional(request)
