//! Each frontend's error enum knows its wire form; the server only ever sees a `Response`.

use crate::http::Response;

pub trait WireError {
    fn status(&self) -> u16;
    /// The cloud's error code (`ResourceNotFoundException`, `Forbidden.ResourceNotFound`,
    /// `CSMS.0106`), also recorded in the request journal.
    fn code(&self) -> &str;
    fn render(&self, request_id: &str) -> Response;

    /// The rendered answer, carrying the code for the request journal.
    fn respond(&self, request_id: &str) -> Response {
        let mut r = self.render(request_id);
        r.error_code = Some(self.code().to_owned());
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Teapot;

    impl WireError for Teapot {
        fn status(&self) -> u16 {
            418
        }
        fn code(&self) -> &str {
            "Teapot"
        }
        fn render(&self, request_id: &str) -> Response {
            Response::new(self.status()).header("x-id", request_id)
        }
    }

    #[test]
    fn respond_names_the_code_without_changing_the_answer() {
        let r = Teapot.respond("id-1");
        assert_eq!(r.error_code.as_deref(), Some("Teapot"));
        assert_eq!((r.status, r.header_value("x-id")), (418, Some("id-1")));
        assert_eq!(Teapot.render("id-1").error_code, None);
    }
}
